import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { HttpTransport, LineageEmitter, OpenLineage } from '../src/index.ts';
import type { EmitterOptions, RunEvent } from '../src/index.ts';
import { closedPort, eventKey, TestCollector } from './support/test-collector.ts';
import { readJsonLines, spooledFiles, tempDir } from './support/temp-dir.ts';

const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/packages/lineage-emitter',
});
const job = (name: string) => ({ namespace: 'spine-test', name });
const disposables: AsyncDisposable[] = [];
afterEach(async () => {
  for (const d of disposables.reverse()) await d[Symbol.asyncDispose]();
  disposables.length = 0;
});

async function setup(
  url: string,
  options: Partial<EmitterOptions> & { timeoutMs?: number; apiKey?: string; gzip?: boolean } = {},
) {
  const dir = await tempDir();
  const { timeoutMs, apiKey, gzip, ...rest } = options;
  const emitter = await LineageEmitter.open({
    spoolDir: dir.path,
    transport: new HttpTransport({
      url,
      timeoutMs: timeoutMs ?? 2_000,
      ...(apiKey ? { apiKey } : {}),
      ...(gzip ? { compression: 'gzip' as const } : {}),
    }),
    retry: { initialMs: 20, maxMs: 200 },
    ...rest,
  });
  disposables.push(dir, {
    [Symbol.asyncDispose]: async () => void (await emitter.close({ timeoutMs: 100 })),
  });
  return { emitter, dir: dir.path };
}

/** START, RUNNING and COMPLETE of `runs` runs. */
function runEvents(runs: number, prefix = 'job'): RunEvent[][] {
  return Array.from({ length: runs }, (_, i) => {
    const run = ol.run(job(`${prefix}-${i}`));
    return [run.start(), run.running(), run.complete()];
  });
}

/** For every run, the event types in the order the collector first acknowledged them. */
function orderPerRun(accepted: Record<string, unknown>[]): Map<string, string[]> {
  const seen = new Set<string>();
  const order = new Map<string, string[]>();
  for (const event of accepted) {
    const key = eventKey(event);
    if (seen.has(key)) continue;
    seen.add(key);
    const runId = (event.run as { runId: string }).runId;
    order.set(runId, [...(order.get(runId) ?? []), String(event.eventType)]);
  }
  return order;
}

describe('http transport through the durable emitter', () => {
  it('collector down, then up: nothing is lost, network retries are counted', async () => {
    const port = await closedPort();
    const { emitter, dir } = await setup(`http://127.0.0.1:${port}`);
    const runs = runEvents(10);
    for (const events of runs) for (const e of events) await emitter.emit(e);
    await new Promise((r) => setTimeout(r, 400));
    let stats = emitter.stats();
    expect(stats.sent).toBe(0);
    expect(stats.spooled).toBe(30);
    expect(stats.pending).toBe(30);
    expect(stats.retriedBy.network).toBeGreaterThan(0);
    expect(await spooledFiles(dir)).toHaveLength(30);

    const collector = await TestCollector.start(undefined, port);
    disposables.push(collector);
    expect(await emitter.flush(10_000)).toBe(true);
    stats = emitter.stats();
    expect(stats.sent).toBe(30);
    expect(stats.deadLettered).toBe(0);
    expect(stats.pending).toBe(0);
    expect(new Set(collector.acceptedKeys()).size).toBe(30);
    expect(collector.accepted).toHaveLength(30); // nothing was sent twice
    for (const [, order] of orderPerRun(collector.accepted))
      expect(order).toEqual(['START', 'RUNNING', 'COMPLETE']);
    expect(await spooledFiles(dir)).toEqual([]);
  });

  it('500s are retried with backoff until accepted; each retry is counted', async () => {
    const collector = await TestCollector.start(({ index }) =>
      index < 5 ? { status: 500 } : { status: 201 },
    );
    disposables.push(collector);
    const { emitter } = await setup(collector.url);
    for (const events of runEvents(5)) for (const e of events) await emitter.emit(e);
    expect(await emitter.flush(10_000)).toBe(true);
    const stats = emitter.stats();
    expect(stats.sent).toBe(15);
    expect(stats.retried).toBe(5);
    expect(stats.retriedBy.http_5xx).toBe(5);
    expect(collector.requests.filter((r) => r.status === 500)).toHaveLength(5);
    expect(new Set(collector.acceptedKeys()).size).toBe(15);
  });

  it('429 with Retry-After in seconds: the next attempt waits that long', async () => {
    const collector = await TestCollector.start(({ index }) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    disposables.push(collector);
    const { emitter } = await setup(collector.url);
    await emitter.emit(ol.run(job('limited')).start());
    expect(await emitter.flush(10_000)).toBe(true);
    const [first, second] = collector.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950); // our own backoff would be < 20 ms
    expect(emitter.stats().retriedBy.http_429).toBe(1);
  });

  it('429 and 503 with Retry-After as an HTTP date are honoured too', async () => {
    let retryAt = '';
    const collector = await TestCollector.start(({ index }) => {
      if (index > 1) return { status: 201 };
      // HTTP dates have whole seconds: two seconds ahead is at least one second away.
      retryAt = new Date(Date.now() + 2_000).toUTCString();
      return { status: index === 0 ? 429 : 503, headers: { 'retry-after': retryAt } };
    });
    disposables.push(collector);
    const { emitter } = await setup(collector.url);
    await emitter.emit(ol.run(job('dated')).start());
    expect(await emitter.flush(15_000)).toBe(true);
    const [a, b, c] = collector.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(950);
    expect(emitter.stats().retriedBy).toEqual({ http_429: 1, http_5xx: 1 });
  });

  it('400 is not retried: the event goes to the dead-letter file with the answer; others flow on', async () => {
    const refusal = JSON.stringify({ code: 'LIN_INVALID_EVENT', message: 'format', pointer: '/run/runId' });
    const collector = await TestCollector.start(({ event }) =>
      (event.job as { name: string }).name === 'bad' ? { status: 400, body: refusal } : { status: 201 },
    );
    disposables.push(collector);
    const { emitter, dir } = await setup(collector.url);
    const bad = ol.run(job('bad')).start();
    const good = ol.run(job('good'));
    await emitter.emit(good.start());
    await emitter.emit(bad);
    await emitter.emit(good.complete());
    expect(await emitter.flush(10_000)).toBe(true);
    expect(collector.requests.filter((r) => (r.event.job as { name: string }).name === 'bad')).toHaveLength(
      1,
    );
    expect(collector.acceptedKeys()).toEqual([`${good.runId}:START`, `${good.runId}:COMPLETE`]);
    const dead = await readJsonLines(emitter.deadLetterPath);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      attempts: 1,
      error: { code: 'LIN_EMITTER_HTTP_STATUS', status: 400, retriable: false },
      event: JSON.parse(JSON.stringify(bad)) as unknown,
    });
    expect((dead[0]!.error as { body: string }).body).toContain('/run/runId');
    expect(emitter.stats()).toMatchObject({ sent: 2, deadLettered: 1, retried: 0, pending: 0 });
    expect(await spooledFiles(dir)).toEqual([]);
  });

  it('a slow collector: attempts time out, are retried, and every event arrives', async () => {
    const collector = await TestCollector.start(({ index }) =>
      index < 3 ? { status: 201, delayMs: 1_000 } : { status: 201, delayMs: 5 },
    );
    disposables.push(collector);
    const { emitter } = await setup(collector.url, { timeoutMs: 150 });
    const runs = runEvents(4);
    for (const events of runs) for (const e of events) await emitter.emit(e);
    expect(await emitter.flush(15_000)).toBe(true);
    const stats = emitter.stats();
    expect(stats.sent).toBe(12);
    expect(stats.retriedBy.timeout).toBeGreaterThanOrEqual(3);
    // A timed-out attempt may still have been taken by the collector: at least once, never lost.
    expect(new Set(collector.acceptedKeys()).size).toBe(12);
    for (const [, order] of orderPerRun(collector.accepted))
      expect(order).toEqual(['START', 'RUNNING', 'COMPLETE']);
  });

  it('sends the api key as a Bearer token, JSON or gzip', async () => {
    const collector = await TestCollector.start(({ headers }) =>
      headers.authorization === 'Bearer key:secret' ? { status: 201 } : { status: 401 },
    );
    disposables.push(collector);
    const { emitter } = await setup(collector.url, { apiKey: 'key:secret', gzip: true });
    const event = ol.run(job('authed')).start();
    await emitter.emit(event);
    expect(await emitter.flush(5_000)).toBe(true);
    expect(collector.requests[0]?.headers).toMatchObject({
      authorization: 'Bearer key:secret',
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    });
    expect(collector.accepted).toEqual([JSON.parse(JSON.stringify(event))]);

    const { emitter: noKey } = await setup(collector.url);
    await noKey.emit(ol.run(job('anonymous')).start());
    expect(await noKey.flush(5_000)).toBe(true);
    expect(noKey.stats()).toMatchObject({ sent: 0, deadLettered: 1, retried: 0 });
  });

  it('a redirect is not followed (a POST would become a GET): dead-lettered', async () => {
    const collector = await TestCollector.start(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    disposables.push(collector);
    const { emitter } = await setup(collector.url);
    await emitter.emit(ol.run(job('moved')).start());
    expect(await emitter.flush(5_000)).toBe(true);
    expect(collector.requests).toHaveLength(1);
    const [dead] = await readJsonLines(emitter.deadLetterPath);
    expect(dead?.error).toMatchObject({ code: 'LIN_EMITTER_HTTP_REDIRECT', status: 302 });
  });

  it('START goes before the terminal event of its run, per run, across a flaky collector', async () => {
    let n = 0;
    const collector = await TestCollector.start(() => {
      n++;
      const roll = (n * 7919) % 10; // deterministic but scattered failures: 30% of attempts
      if (roll < 2) return { status: 503 };
      if (roll < 3) return { status: 429, headers: { 'retry-after': '0' } };
      return { status: 201 };
    });
    disposables.push(collector);
    const { emitter } = await setup(collector.url, { concurrency: 8 });
    const runs = runEvents(30, 'flaky');
    // Emitted concurrently, interleaving runs; each run's own events in order.
    await Promise.all(
      runs.map(async (events) => {
        for (const e of events) await emitter.emit(e);
      }),
    );
    // A caller that emits the terminal event before the START (another code path finished first).
    const late = ol.run(job('late-start'));
    const complete = late.complete();
    const start = late.start();
    await emitter.emit(complete);
    await emitter.emit(start);
    expect(await emitter.flush(20_000)).toBe(true);
    const order = orderPerRun(collector.accepted);
    expect(order.size).toBe(31);
    for (const events of runs)
      expect(order.get(events[0]!.run.runId)).toEqual(['START', 'RUNNING', 'COMPLETE']);
    expect(emitter.stats().retried).toBeGreaterThan(0);
    expect(emitter.stats().sent).toBe(92);
  });

  it("a START emitted after its run's terminal event, while the collector is down, is still sent first", async () => {
    const port = await closedPort();
    const { emitter } = await setup(`http://127.0.0.1:${port}`);
    const run = ol.run(job('reordered'));
    await emitter.emit(run.complete());
    await emitter.emit(run.start());
    const collector = await TestCollector.start(undefined, port);
    disposables.push(collector);
    expect(await emitter.flush(10_000)).toBe(true);
    expect(collector.accepted.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
  });

  it('close() with a timeout keeps what it could not deliver; the next open() replays it', async () => {
    const port = await closedPort();
    const dir = await tempDir();
    disposables.push(dir);
    const first = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: `http://127.0.0.1:${port}` }),
      retry: { initialMs: 20, maxMs: 100 },
    });
    const runs = runEvents(3);
    for (const events of runs) for (const e of events) await first.emit(e);
    const t0 = Date.now();
    expect(await first.close({ timeoutMs: 300 })).toEqual({ drained: false, pending: 9 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await expect(first.emit(ol.run(job('after-close')).start())).rejects.toMatchObject({
      code: 'LIN_EMITTER_CLOSED',
    });
    expect(await spooledFiles(dir.path)).toHaveLength(9);

    const collector = await TestCollector.start(undefined, port);
    disposables.push(collector);
    const second = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: collector.url }),
    });
    expect(await second.close({ timeoutMs: 10_000 })).toEqual({ drained: true, pending: 0 });
    expect(second.stats()).toMatchObject({ replayed: 9, sent: 9, spooled: 0 });
    for (const [, order] of orderPerRun(collector.accepted))
      expect(order).toEqual(['START', 'RUNNING', 'COMPLETE']);
  });

  it('bounded: a full spool refuses new events with LIN_EMITTER_SPOOL_FULL, oversize events are refused', async () => {
    const port = await closedPort();
    const { emitter } = await setup(`http://127.0.0.1:${port}`, { maxSpoolEvents: 3, maxEventBytes: 4_096 });
    for (let i = 0; i < 3; i++) await emitter.emit(ol.run(job(`full-${i}`)).start());
    await expect(emitter.emit(ol.run(job('one-too-many')).start())).rejects.toMatchObject({
      code: 'LIN_EMITTER_SPOOL_FULL',
      retriable: true,
    });
    const huge = ol
      .run(job('huge'))
      .start({ facets: { big: ol.custom('https://example.com/big.json', { blob: 'x'.repeat(5_000) }) } });
    await expect(emitter.emit(huge)).rejects.toMatchObject({ code: 'LIN_EMITTER_EVENT_TOO_LARGE' });
    await expect(emitter.emit({ eventTime: 'now' } as unknown as RunEvent)).rejects.toMatchObject({
      code: 'LIN_EMITTER_INVALID_EVENT',
    });
    expect(emitter.stats()).toMatchObject({ spooled: 3, rejected: 3, pending: 3 });
  });

  it('maxAttempts turns a collector that never recovers into dead letters (opt-in)', async () => {
    const collector = await TestCollector.start(() => ({ status: 500 }));
    disposables.push(collector);
    const { emitter } = await setup(collector.url, { retry: { initialMs: 5, maxMs: 10, maxAttempts: 3 } });
    await emitter.emit(ol.run(job('doomed')).start());
    expect(await emitter.flush(5_000)).toBe(true);
    expect(collector.requests).toHaveLength(3);
    const [dead] = await readJsonLines(emitter.deadLetterPath);
    expect(dead).toMatchObject({ attempts: 3, error: { code: 'LIN_EMITTER_MAX_ATTEMPTS' } });
    expect(emitter.stats()).toMatchObject({ retried: 2, deadLettered: 1 });
  });

  it('one spool, one emitter: a second open on a live spool is refused', async () => {
    const port = await closedPort();
    const { dir } = await setup(`http://127.0.0.1:${port}`);
    await expect(
      LineageEmitter.open({
        spoolDir: dir,
        transport: new HttpTransport({ url: `http://127.0.0.1:${port}` }),
      }),
    ).rejects.toMatchObject({ code: 'LIN_EMITTER_SPOOL_LOCKED' });
  });

  it('counts go to the prom-client registry it is given', async () => {
    let failures = 0;
    const collector = await TestCollector.start(({ event }) => {
      if ((event.job as { name: string }).name === 'refused') return { status: 422 };
      return failures++ < 2 ? { status: 500 } : { status: 201 };
    });
    disposables.push(collector);
    const registry = new Registry();
    const { emitter } = await setup(collector.url, { registry, name: 'cdc-router' });
    const run = ol.run(job('metered'));
    await emitter.emit(run.start());
    await emitter.emit(run.complete());
    await emitter.emit(ol.run(job('refused')).start());
    expect(await emitter.flush(5_000)).toBe(true);
    const text = await registry.metrics();
    expect(text).toContain('spine_lineage_emitter_spooled_total{emitter="cdc-router"} 3');
    expect(text).toContain('spine_lineage_emitter_sent_total{emitter="cdc-router",event_type="START"} 1');
    expect(text).toContain('spine_lineage_emitter_sent_total{emitter="cdc-router",event_type="COMPLETE"} 1');
    expect(text).toContain('spine_lineage_emitter_retries_total{emitter="cdc-router",reason="http_5xx"} 2');
    expect(text).toContain(
      'spine_lineage_emitter_dead_lettered_total{emitter="cdc-router",code="LIN_EMITTER_HTTP_STATUS"} 1',
    );
    expect(text).toContain('spine_lineage_emitter_spool_events{emitter="cdc-router"} 0');
  });
});
