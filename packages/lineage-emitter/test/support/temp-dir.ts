import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory removed at dispose (`await using dir = await tempDir()`). */
export async function tempDir(prefix = 'lineage-emitter-'): Promise<{ path: string } & AsyncDisposable> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

/** Committed event files in a spool (not the temporary files of writes cut short). */
export async function spooledFiles(spoolDir: string): Promise<string[]> {
  return (await allSpoolFiles(spoolDir)).filter((f) => f.endsWith('.json'));
}

export async function allSpoolFiles(spoolDir: string): Promise<string[]> {
  return (await readdir(join(spoolDir, 'events')).catch(() => [])).sort();
}

export async function readJsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
