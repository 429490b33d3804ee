import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'spool-test-'));
  dirs.push(d);
  return d;
}

describe('Spool', () => {
  it('recovers entries in sequence order from the names alone, and drops unfinished writes', async () => {
    const path = await dir();
    const spool = await Spool.open(path);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        spool.write(i + 1, 'a'.repeat(16), i % 2 ? 'T' : 'S', `{"n":${i + 1}}`),
      ),
    );
    await writeFile(join(path, 'events', '0000000000000026-aaaaaaaaaaaaaaaa-9-S.json.tmp'), '{"n":2');
    await writeFile(join(path, 'events', 'README'), 'not an event');
    await spool.close();
    const reopened = await Spool.open(path);
    expect(reopened.recovered.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(reopened.recovered[9]).toMatchObject({ kind: 'T', bytes: 8, lane: 'a'.repeat(16) });
    expect(await reopened.read(reopened.recovered[9]!)).toBe('{"n":10}');
    expect((await readdir(join(path, 'events'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await reopened.close();
  });

  it('a lock left by a dead process is taken over; one held by a live process is refused', async () => {
    const path = await dir();
    await writeFile(join(path, 'lock'), '999999999'); // no such pid
    const spool = await Spool.open(path);
    await spool.close();
    await writeFile(join(path, 'lock'), String(process.ppid)); // alive: the process that started us
    await expect(Spool.open(path)).rejects.toMatchObject({ code: 'LIN_EMITTER_SPOOL_LOCKED' });
  });
});
