import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { dropDatabaseWithSlots, quoteIdent } from './drop-database.ts';
import { TestkitError } from './errors.ts';
import { freePort } from './free-port.ts';
import type { TestkitLogger } from './logger.ts';
import { ManagedProcess } from './managed-process.ts';
import { chownRecursive, unprivilegedUser } from './os-user.ts';
import type { OsUser } from './os-user.ts';
import { findPostgresBinDir } from './postgres-bin-dir.ts';

const run = promisify(execFile);

export interface StartPostgresOptions {
  /** Reused when it already holds a cluster made by startPostgres; a temporary directory when absent. */
  dataDir?: string;
  port?: number;
  /** Directory with initdb and postgres; see `findPostgresBinDir`. */
  binDir?: string;
  /** Keep the data durable (fsync on) and the directory at stop. Temporary clusters trade both for speed. */
  persistent?: boolean;
  /** Where `postgres-<port>.log` goes; the data directory's parent by default. */
  logDir?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Readonly<Record<string, string | number>>;
  logger?: TestkitLogger;
}

export interface PostgresHandle {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (the superuser). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  /** The URL of another database in this cluster. */
  urlFor(database: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string, options?: { ifNotExists?: boolean }): Promise<string>;
  /** Drops a database, and the replication slots in it first. */
  dropDatabase(name: string): Promise<void>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<pg.QueryResult<R>>;
  stop(): Promise<void>;
  /** SIGKILL, for crash tests. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const PASSWORD_FILE = 'spine-superuser-password';

/** initdb as `user`, with a random superuser password; returns the password. */
async function initCluster(binDir: string, dataDir: string, user: OsUser | null): Promise<string> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dirname(dataDir), `.pwfile-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (user) {
    chownRecursive(dataDir, user);
    chownRecursive(pwfile, user);
  }
  try {
    await run(
      join(binDir, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        `--pwfile=${pwfile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=peer',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      user ? { uid: user.uid, gid: user.gid } : {},
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new TestkitError(
      'TESTKIT_COMMAND_FAILED',
      'postgres',
      `initdb -D ${dataDir} failed: ${stderr || String(err)}`,
      { cause: err },
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
  const passwordFile = join(dataDir, PASSWORD_FILE);
  writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  if (user) chownRecursive(passwordFile, user);
  return password;
}

function existingPassword(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch (err) {
    throw new TestkitError(
      'TESTKIT_COMMAND_FAILED',
      'postgres',
      `${dataDir} holds a cluster that startPostgres did not create (no ${PASSWORD_FILE}); its superuser password is unknown: use another dataDir`,
      { cause: err },
    );
  }
}

/**
 * A private PostgreSQL server on 127.0.0.1 with `wal_level=logical`, run as an unprivileged OS user when we
 * are root. Password (scram) auth over TCP for the superuser `postgres`; no Unix socket.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const binDir = findPostgresBinDir(options.binDir);
  const temporary = options.dataDir === undefined;
  const dataDir = resolve(options.dataDir ?? join(mkdtempSync(join(tmpdir(), 'spine-pg-')), 'data'));
  const logDir = options.logDir ?? dirname(dataDir);
  const persistent = options.persistent ?? false;
  const user = unprivilegedUser();
  const port = options.port ?? (await freePort());

  mkdirSync(dirname(dataDir), { recursive: true });
  // The server's user must traverse the parent (a root-owned mkdtemp or .spine/); 0711 lets it, without listing.
  if (user) chmodSync(dirname(dataDir), 0o711);
  const password = existsSync(join(dataDir, 'PG_VERSION'))
    ? existingPassword(dataDir)
    : await initCluster(binDir, dataDir, user);

  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    // TCP only: no socket directory to own or clean up.
    unix_socket_directories: '',
    wal_level: 'logical',
    // Every Debezium connector holds a slot and a walsender; parallel test files each run one or two.
    max_replication_slots: 32,
    max_wal_senders: 32,
    max_connections: 200,
    shared_buffers: '128MB',
    ...(persistent ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const proc = new ManagedProcess({
    name: `postgres-${port}`,
    command: join(binDir, 'postgres'),
    args: ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    logDir,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const urlFor = (db: string) => `${base}/${encodeURIComponent(db)}`;
  const withClient = async <T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: urlFor(database), connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const query = <R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ) => withClient(database, (c) => c.query<R>(sql, params));

  try {
    await proc.waitUntil(
      'accepting connections',
      async () => (await query('select 1')).rowCount === 1,
      60_000,
    );
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }

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
    logFile: proc.logFile,
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
    dropDatabase: (name) => withClient('postgres', (c) => dropDatabaseWithSlots(c, name)),
    stop,
    kill: () => proc.kill(),
    [Symbol.asyncDispose]: stop,
  };
}
