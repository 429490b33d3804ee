import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { ComponentStartError, ManagedProcess } from './managed-process.ts';
import { chownRecursive, unprivilegedUser } from './os-user.ts';

export interface StartPostgresOptions {
  /** Reused when it already holds a cluster; a temporary directory when absent. */
  dataDir?: string;
  port?: number;
  /** Directory with initdb and postgres; see `findPostgresBinDir`. */
  binDir?: string;
  /** Keep the data (fsync on) and the directory at stop. Temporary clusters trade durability for speed. */
  persistent?: boolean;
  logDir?: string;
  /** Extra `-c name=value` settings. */
  settings?: Readonly<Record<string, string | number>>;
}

export interface PostgresHandle {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number | undefined;
  /** The URL of another database in this cluster. */
  urlFor(database: string): string;
  createDatabase(name: string, options?: { ifNotExists?: boolean }): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult<R>>;
  stop(): Promise<void>;
  /** SIGKILL, for crash tests. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** SPINE_PG_BIN, else the newest /usr/lib/postgresql/N/bin, else `pg_config --bindir`. */
export function findPostgresBinDir(explicit = process.env.SPINE_PG_BIN): string {
  const has = (dir: string) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'));
  if (explicit) {
    if (!has(explicit)) throw new ComponentStartError('postgres', `SPINE_PG_BIN=${explicit} lacks initdb or postgres`);
    return explicit;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const dirs = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => join(root, v, 'bin'))
      .filter(has);
    if (dirs[0]) return dirs[0];
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (has(dir)) return dir;
  } catch {
    // no pg_config
  }
  throw new ComponentStartError(
    'postgres',
    'no PostgreSQL server binaries: apt-get install postgresql (or set SPINE_PG_BIN to a directory with initdb and postgres)',
  );
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const binDir = options.binDir ?? findPostgresBinDir();
  const temporary = options.dataDir === undefined;
  const dataDir = resolve(options.dataDir ?? join(mkdtempSync(join(tmpdir(), 'spine-pg-')), 'data'));
  const logDir = options.logDir ?? dirname(dataDir);
  const user = unprivilegedUser();
  const port = options.port ?? (await freePort());
  const persistent = options.persistent ?? false;
  const passwordFile = join(dataDir, 'spine-superuser-password');

  mkdirSync(dirname(dataDir), { recursive: true });
  // The server user must traverse the parent (e.g. a root-owned .spine/); 0711 lets it without listing.
  if (user) chmodSync(dirname(dataDir), 0o711);
  const initialized = existsSync(join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialized) {
    password = readFileSync(passwordFile, 'utf8').trim();
  } else {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    password = randomBytes(18).toString('base64url');
    const pwfile = join(dataDir, '..', `.pwfile-${process.pid}`);
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (user) {
      chownRecursive(dataDir, user);
      chownRecursive(pwfile, user);
    }
    try {
      execFileSync(
        join(binDir, 'initdb'),
        ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '-E', 'UTF8', '--locale=C', '--no-instructions'],
        { stdio: 'pipe', ...(user ? { uid: user.uid, gid: user.gid } : {}) },
      );
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new ComponentStartError('postgres', `initdb failed: ${stderr || (err as Error).message}`, { cause: err });
    } finally {
      rmSync(pwfile, { force: true });
    }
    writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
    if (user) chownRecursive(passwordFile, user);
  }

  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    // TCP only: no socket directory to own or clean up.
    unix_socket_directories: '',
    wal_level: 'logical',
    max_replication_slots: 32,
    max_wal_senders: 32,
    max_connections: 200,
    shared_buffers: '128MB',
    ...(persistent ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const proc = new ManagedProcess({
    name: `postgres-${port}`,
    command: join(binDir, 'postgres'),
    args,
    logDir,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const urlFor = (db: string) => `${base}/${encodeURIComponent(db)}`;
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres') => {
    const client = new pg.Client({ connectionString: urlFor(database) });
    await client.connect();
    try {
      return await client.query<R>(sql, params);
    } finally {
      await client.end();
    }
  };
  await proc.waitUntil('accepting connections', async () => (await query('select 1')).rowCount === 1, 60_000);

  const stop = async () => {
    // SIGINT is Postgres's fast shutdown: disconnect clients, checkpoint, exit.
    await proc.stop(15_000, 'SIGINT');
    if (temporary) rmSync(dirname(dataDir), { recursive: true, force: true });
  };
  return {
    url: urlFor('postgres'),
    port,
    dataDir,
    pid: proc.pid,
    urlFor,
    query,
    async createDatabase(name, opts) {
      if (opts?.ifNotExists) {
        const exists = await query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount) return urlFor(name);
      }
      await query(`create database ${quoteIdent(name)}`);
      return urlFor(name);
    },
    async dropDatabase(name) {
      await query(`drop database if exists ${quoteIdent(name)} with (force)`);
    },
    stop,
    kill: () => proc.kill(),
    [Symbol.asyncDispose]: stop,
  };
}
