import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { TestkitError } from './errors.ts';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of the first of `names` found on PATH (or given as a path), or null. */
export function findExecutable(...names: readonly string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    if (isAbsolute(name) || name.includes('/')) {
      if (executable(name)) return name;
      continue;
    }
    for (const dir of dirs) {
      const file = join(dir, name);
      if (executable(file)) return file;
    }
  }
  return null;
}

/**
 * Like `findExecutable`, but a missing binary is an error that names it and says how to install it: a
 * component that cannot start fails the run rather than skipping its tests.
 */
export function requireExecutable(names: readonly string[], install: string): string {
  const found = findExecutable(...names);
  if (found) return found;
  throw new TestkitError(
    'TESTKIT_MISSING_DEPENDENCY',
    names[0] ?? 'executable',
    `${names.join(' or ')} not found on PATH: ${install}`,
  );
}
