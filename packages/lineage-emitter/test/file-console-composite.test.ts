import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CompositeTransport,
  ConsoleTransport,
  FileTransport,
  HttpTransport,
  LineageEmitter,
  OpenLineage,
  transportFromConfig,
} from '../src/index.ts';
import type { ChildFailure, Transport } from '../src/index.ts';
import { closedPort, TestCollector } from './support/test-collector.ts';
import { readJsonLines, tempDir } from './support/temp-dir.ts';

const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/packages/lineage-emitter',
});
const disposables: AsyncDisposable[] = [];
afterEach(async () => {
  for (const d of disposables.reverse()) await d[Symbol.asyncDispose]();
  disposables.length = 0;
});

async function open(transport: Transport) {
  const dir = await tempDir();
  const emitter = await LineageEmitter.open({
    spoolDir: dir.path,
    transport,
    retry: { initialMs: 10, maxMs: 50 },
  });
  disposables.push(dir, {
    [Symbol.asyncDispose]: async () => void (await emitter.close({ timeoutMs: 100 })),
  });
  return { emitter, dir: dir.path };
}

describe('file, console and composite transports', () => {
  it('file: appends one JSON line per event, in order, to an existing file', async () => {
    const { dir } = await open(new ConsoleTransport({ stream: { write: () => true } }));
    const path = join(dir, 'lineage.jsonl');
    const { emitter } = await open(new FileTransport({ path }));
    const runs = Array.from({ length: 20 }, (_, i) => ol.run({ namespace: 'file', name: `job-${i}` }));
    for (const run of runs) await emitter.emit(run.start());
    expect(await emitter.flush(5_000)).toBe(true);
    const lines = await readJsonLines(path);
    expect(lines).toHaveLength(20);
    expect(new Set(lines.map((l) => (l.run as { runId: string }).runId))).toEqual(
      new Set(runs.map((r) => r.runId)),
    );
    // Appends: a second emitter adds to what is there.
    const { emitter: again } = await open(new FileTransport({ path, fsync: false }));
    await again.emit(runs[0]!.complete());
    expect(await again.flush(5_000)).toBe(true);
    expect(await readJsonLines(path)).toHaveLength(21);
    expect((await readFile(path, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('file: a path it cannot append to is retried (not lost) until it can', async () => {
    const { dir } = await open(new ConsoleTransport({ stream: { write: () => true } }));
    // The parent is a file, not a directory: ENOTDIR, whoever we run as.
    const parent = join(dir, 'not-yet-a-directory');
    await writeFile(parent, '');
    const { emitter } = await open(new FileTransport({ path: join(parent, 'lineage.jsonl') }));
    await emitter.emit(ol.run({ namespace: 'file', name: 'blocked' }).start());
    await new Promise((r) => setTimeout(r, 200));
    expect(emitter.stats().retriedBy.file).toBeGreaterThan(0);
    expect(emitter.stats().sent).toBe(0);
    await rm(parent);
    await mkdir(parent);
    expect(await emitter.flush(5_000)).toBe(true);
    expect(await readJsonLines(join(parent, 'lineage.jsonl'))).toHaveLength(1);
  });

  it('console: one line per event on the stream it is given (stdout by default)', async () => {
    const lines: string[] = [];
    const { emitter } = await open(new ConsoleTransport({ stream: { write: (s: string) => lines.push(s) } }));
    const event = ol.datasetEvent({ dataset: ol.dataset('postgres://h:5432', 'db.public.t') });
    await emitter.emit(event);
    expect(await emitter.flush(5_000)).toBe(true);
    expect(lines).toEqual([`${JSON.stringify(event)}\n`]);
  });

  it('composite, continueOnFailure (default): a down child does not block the others', async () => {
    await using collector = await TestCollector.start();
    const lines: string[] = [];
    const down = new HttpTransport({ url: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 500 });
    const composite = new CompositeTransport({
      transports: {
        down,
        collector: new HttpTransport({ url: collector.url }),
        console: new ConsoleTransport({ stream: { write: (s: string) => lines.push(s) } }),
      },
    });
    const failures: ChildFailure[] = [];
    composite.onChildFailure = (f) => failures.push(f);
    const { emitter } = await open(composite);
    await emitter.emit(ol.run({ namespace: 'c', name: 'fan-out' }).start());
    expect(await emitter.flush(5_000)).toBe(true);
    expect(collector.accepted).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(failures.map((f) => [f.transport, (f.error as { code: string }).code])).toEqual([
      ['down', 'LIN_EMITTER_NETWORK'],
    ]);
    expect(emitter.stats()).toMatchObject({ sent: 1, retried: 0 });
  });

  it('composite, continueOnFailure false: the first failure fails the event, retriable as the child was', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const composite = new CompositeTransport({
      transports: [
        new HttpTransport({ url: `http://127.0.0.1:${port}` }),
        new ConsoleTransport({ stream: { write: (s: string) => lines.push(s) } }),
      ],
      continueOnFailure: false,
    });
    const { emitter } = await open(composite);
    await emitter.emit(ol.run({ namespace: 'c', name: 'fail-fast' }).start());
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]); // stopped at the first child
    expect(emitter.stats().retriedBy.other).toBeGreaterThan(0);
    await using collector = await TestCollector.start(undefined, port);
    expect(await emitter.flush(5_000)).toBe(true);
    expect(collector.accepted).toHaveLength(1);
    expect(lines).toHaveLength(1);
  });

  it('composite, every child refusing for good: dead-lettered with every reason', async () => {
    await using collector = await TestCollector.start(() => ({ status: 400 }));
    const composite = new CompositeTransport({
      transports: {
        a: new HttpTransport({ url: collector.url }),
        b: new HttpTransport({ url: collector.url }),
      },
    });
    const { emitter } = await open(composite);
    await emitter.emit(ol.run({ namespace: 'c', name: 'refused' }).start());
    expect(await emitter.flush(5_000)).toBe(true);
    const [dead] = await readJsonLines(emitter.deadLetterPath);
    expect(dead?.error).toMatchObject({ code: 'LIN_EMITTER_COMPOSITE', retriable: false });
    expect((dead?.error as { message: string }).message).toMatch(/a: .*400.*b: .*400/);
  });

  it('composite, continueOnSuccess false: stops at the first child that took the event', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const composite = new CompositeTransport({
      transports: [
        new ConsoleTransport({ stream: { write: (s: string) => first.push(s) } }),
        new ConsoleTransport({ stream: { write: (s: string) => second.push(s) } }),
      ],
      continueOnSuccess: false,
    });
    const { emitter } = await open(composite);
    await emitter.emit(ol.run({ namespace: 'c', name: 'first-wins' }).start());
    expect(await emitter.flush(5_000)).toBe(true);
    expect([first.length, second.length]).toEqual([1, 0]);
  });

  it('transportFromConfig builds transports from plain config and names what is wrong', async () => {
    const { dir } = await open(new ConsoleTransport({ stream: { write: () => true } }));
    const transport = transportFromConfig({
      type: 'composite',
      transports: {
        http: { type: 'http', url: 'http://127.0.0.1:5000', apiKey: 'key:secret', compression: 'gzip' },
        file: { type: 'file', path: join(dir, 'x.jsonl') },
        console: { type: 'console' },
      },
      continueOnFailure: true,
    });
    expect(transport.kind).toBe('composite');
    expect((transportFromConfig({ type: 'http', url: 'http://h:5000/base' }) as HttpTransport).url).toBe(
      'http://h:5000/base/api/v1/lineage',
    );
    expect(() => transportFromConfig({ type: 'http', url: 'not a url' })).toThrow(/transport\.url/);
    expect(() => transportFromConfig({ type: 'kafka', topic: 't', brokers: [] })).toThrow(
      expect.objectContaining({ code: 'LIN_EMITTER_INVALID_OPTIONS' }),
    );
    expect(() => transportFromConfig({ type: 'carrier-pigeon' })).toThrow(/transport\.type/);
  });
});
