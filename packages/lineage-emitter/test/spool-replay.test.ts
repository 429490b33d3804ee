import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, LineageEmitter, OpenLineage } from '../src/index.ts';
import { closedPort, TestCollector } from './support/test-collector.ts';
import { readJsonLines, spooledFiles, tempDir } from './support/temp-dir.ts';

const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/packages/lineage-emitter',
});
const disposables: AsyncDisposable[] = [];
afterEach(async () => {
  for (const d of disposables.reverse()) await d[Symbol.asyncDispose]();
  disposables.length = 0;
});

describe('replaying a spool', () => {
  it('a START spooled after its COMPLETE is still sent first after a restart', async () => {
    const dir = await tempDir();
    disposables.push(dir);
    const port = await closedPort();
    const down = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: `http://127.0.0.1:${port}` }),
    });
    const run = ol.run({ namespace: 'replay', name: 'late-start' });
    const other = ol.run({ namespace: 'replay', name: 'in-order' });
    await down.emit(run.complete());
    await down.emit(other.start());
    await down.emit(run.start());
    await down.emit(other.complete());
    expect(await down.close({ timeoutMs: 50 })).toMatchObject({ drained: false, pending: 4 });

    const collector = await TestCollector.start(undefined, port);
    disposables.push(collector);
    const up = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: collector.url }),
      concurrency: 1,
    });
    expect(await up.close({ timeoutMs: 10_000 })).toEqual({ drained: true, pending: 0 });
    const types = (runId: string) =>
      collector.accepted.filter((e) => (e.run as { runId: string }).runId === runId).map((e) => e.eventType);
    expect(types(run.runId)).toEqual(['START', 'COMPLETE']);
    expect(types(other.runId)).toEqual(['START', 'COMPLETE']);
  });

  it('a spool file that is not JSON is dead-lettered as it was, and the rest is delivered', async () => {
    const dir = await tempDir();
    disposables.push(dir);
    const collector = await TestCollector.start();
    disposables.push(collector);
    const first = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: `http://127.0.0.1:${await closedPort()}` }),
    });
    await first.emit(ol.run({ namespace: 'replay', name: 'fine' }).start());
    await first.close({ timeoutMs: 0 });
    // A file damaged outside our control (its name is valid, its content is not an event).
    await writeFile(join(dir.path, 'events', '0000000000000002-00000000000000aa-7-S.json'), '{"trunc');
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: collector.url }),
    });
    expect(await emitter.close({ timeoutMs: 10_000 })).toEqual({ drained: true, pending: 0 });
    expect(emitter.stats()).toMatchObject({ replayed: 2, sent: 1, deadLettered: 1 });
    const [dead] = await readJsonLines(emitter.deadLetterPath);
    expect(dead).toMatchObject({ event: '{"trunc', error: { code: 'LIN_EMITTER_SPOOL_IO' } });
    expect(await spooledFiles(dir.path)).toEqual([]);
  });
});
