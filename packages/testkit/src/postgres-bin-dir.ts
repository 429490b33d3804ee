import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestkitError } from './errors.ts';

const INSTALL = 'apt-get install postgresql (or set SPINE_PG_BIN to a directory holding initdb and postgres)';

const hasServer = (dir: string) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'));

/**
 * Where initdb and postgres live: `explicit` (a `binDir` option), else SPINE_PG_BIN, else the newest
 * /usr/lib/postgresql/<major>/bin (Debian/Ubuntu), else `pg_config --bindir`.
 */
export function findPostgresBinDir(explicit?: string): string {
  const given = explicit ?? process.env.SPINE_PG_BIN;
  if (given) {
    if (!hasServer(given))
      throw new TestkitError(
        'TESTKIT_MISSING_DEPENDENCY',
        'postgres',
        `${given} lacks initdb or postgres: ${INSTALL}`,
      );
    return given;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const newest = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => join(root, v, 'bin'))
      .find(hasServer);
    if (newest) return newest;
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    if (hasServer(dir)) return dir;
  } catch {
    // No pg_config on PATH.
  }
  throw new TestkitError(
    'TESTKIT_MISSING_DEPENDENCY',
    'postgres',
    `no PostgreSQL server binaries found: ${INSTALL}`,
  );
}
