import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { compilePolicy, MatrixInvalidError, parseMatrix, SAMPLE_MATRIX } from '@data-spine/residency-gate';
import type { CompiledPolicy } from '@data-spine/residency-gate';
import { UsageError } from '../cli-config.ts';

/** The repository root, found from the gate package (for defaults when run outside the root). */
export const REPO_ROOT = resolve(dirname(SAMPLE_MATRIX), '..');

/** A path as given, else relative to the current directory, else to the repository root. */
export function defaultPath(given: string | undefined, fallback: string): string {
  if (given) return resolve(given);
  const here = resolve(fallback);
  return existsSync(here) ? here : resolve(REPO_ROOT, fallback);
}

/** Loads and compiles a matrix, or fails with every problem and its line (exit 2). */
export async function loadPolicy(path: string): Promise<CompiledPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the matrix ${path}: ${(err as Error).message}`);
  }
  try {
    return compilePolicy(parseMatrix(text, path));
  } catch (err) {
    if (err instanceof MatrixInvalidError) throw new UsageError(err.message);
    throw err;
  }
}
