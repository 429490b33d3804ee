import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, loadLineageConfig, OpenLineageValidator } from '@data-spine/lineage-collector';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { freePort, useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { HttpTransport, LineageEmitter, OpenLineage } from '../src/index.ts';
import { readJsonLines, tempDir } from './support/temp-dir.ts';

const PRODUCER = { key: 'cdc-router', secret: 'router-secret' };
const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/services/cdc-router',
});

let ctx: TestContext;
let app: Awaited<ReturnType<typeof buildApp>>;
let url: string;

/** The real collector on the test's database (a small ingest queue: bursts meet its 503 + Retry-After). */
const collector = (databaseUrl: string) =>
  buildApp(
    loadLineageConfig({
      SPINE_DATABASE_URL: databaseUrl,
      SPINE_LOG_LEVEL: 'silent',
      SPINE_LINEAGE_MAX_PENDING_EVENTS: '8',
      SPINE_LINEAGE_FLUSH_EVENTS: '2',
    }),
    {
      validator: new OpenLineageValidator(),
      logger: createLogger({ service: 'lineage-emitter-test', level: 'silent' }),
      credentials: new MemoryCredentialStore([
        { key: PRODUCER.key, secretHash: hashSecret(PRODUCER.secret), roles: ['producer'], scopes: ['*'] },
      ]),
    },
  );

beforeAll(async () => {
  ctx = await useTestContext('lineage-emitter-collector');
  app = await collector(ctx.databaseUrl);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await ctx?.[Symbol.asyncDispose]();
});

interface RunsBody {
  runs: { id: string; state: string }[];
}

describe('the emitter against the real lineage-collector', () => {
  it('every run of a burst is stored with its final state; a spec violation is dead-lettered with the pointer', async () => {
    await using dir = await tempDir();
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({
        url,
        apiKey: `${PRODUCER.key}:${PRODUCER.secret}`,
        compression: 'gzip',
      }),
      concurrency: 16,
      retry: { initialMs: 20, maxMs: 500 },
    });
    const source = ol.dataset('postgres://oltp:5432', 'shop.public.customer', {
      schema: ol.schema([
        { name: 'id', type: 'uuid' },
        { name: 'email', type: 'text' },
      ]),
      tags: ol.tags([{ key: 'pii', value: 'true', field: 'email', source: 'REGISTRY' }]),
    });
    const sink = ol.dataset('postgres://analytics-eu:5432', 'analytics_eu.public.customer');
    const runs = Array.from({ length: 40 }, (_, i) =>
      ol.run({ namespace: 'spine-emitter-test', name: `cdc.shop.customer.${i % 4}` }),
    );
    await Promise.all(
      runs.map(async (run, i) => {
        await emitter.emit(run.start({ inputs: [source], outputs: [sink] }));
        await emitter.emit(
          i % 5 === 0 ? run.fail(new Error('sink refused')) : run.complete({ outputs: [sink] }),
        );
      }),
    );
    // The spec's `format: uri` on producer: the collector refuses it (our emit() checks only what it needs).
    await emitter.emit({
      ...ol.run({ namespace: 'spine-emitter-test', name: 'invalid' }).start(),
      producer: 'cdc router',
    });
    expect(await emitter.close({ timeoutMs: 30_000 })).toEqual({ drained: true, pending: 0 });

    const stats = emitter.stats();
    expect(stats).toMatchObject({ spooled: 81, sent: 80, deadLettered: 1 });
    const stored = new Map<string, string>();
    for (let j = 0; j < 4; j++) {
      const r = await app.inject(
        `/api/v1/namespaces/spine-emitter-test/jobs/cdc.shop.customer.${j}/runs?limit=100`,
      );
      expect(r.statusCode).toBe(200);
      for (const run of r.json<RunsBody>().runs) stored.set(run.id, run.state);
    }
    expect(stored.size).toBe(40);
    runs.forEach((run, i) => expect(stored.get(run.runId)).toBe(i % 5 === 0 ? 'FAILED' : 'COMPLETED'));

    const [dead] = await readJsonLines(emitter.deadLetterPath);
    expect(dead?.error).toMatchObject({ code: 'LIN_EMITTER_HTTP_STATUS', status: 400 });
    expect((dead?.error as { body: string }).body).toContain('LIN_INVALID_EVENT');
    expect((dead?.error as { body: string }).body).toContain('/producer');
    // Whether the burst met the collector's backpressure depends on the machine; if it did, it was a retry.
    expect(stats.retried).toBe(stats.retriedBy.http_5xx ?? 0);
  });
});

/** The runs of one job as the collector stored them: run id -> state. */
async function storedRuns(
  target: Awaited<ReturnType<typeof buildApp>>,
  job: string,
): Promise<Map<string, string>> {
  const r = await target.inject(`/api/v1/namespaces/spine-emitter-outage/jobs/${job}/runs?limit=100`);
  if (r.statusCode === 404) return new Map();
  expect(r.statusCode).toBe(200);
  return new Map(r.json<RunsBody>().runs.map((run) => [run.id, run.state]));
}

describe('the emitter through outages of the real collector: nothing lost, every retry counted', () => {
  it('the collector down, then started on its address: every event arrives', async () => {
    await using dir = await tempDir();
    const port = await freePort();
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({
        url: `http://127.0.0.1:${port}`,
        apiKey: `${PRODUCER.key}:${PRODUCER.secret}`,
      }),
      retry: { initialMs: 20, maxMs: 300 },
    });
    const runs = Array.from({ length: 10 }, () =>
      ol.run({ namespace: 'spine-emitter-outage', name: 'down' }),
    );
    for (const run of runs) {
      await emitter.emit(run.start());
      await emitter.emit(run.complete());
    }
    // Nothing listens yet: every event waits in the spool, retried.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(emitter.stats().retriedBy.network ?? 0).toBeGreaterThan(0);
    expect(emitter.stats().sent).toBe(0);
    const late = await collector(ctx.databaseUrl);
    try {
      await late.listen({ host: '127.0.0.1', port });
      expect(await emitter.close({ timeoutMs: 30_000 })).toEqual({ drained: true, pending: 0 });
      expect(emitter.stats()).toMatchObject({ spooled: 20, sent: 20, deadLettered: 0 });
      const stored = await storedRuns(late, 'down');
      expect([...stored.keys()].sort()).toEqual(runs.map((r) => r.runId).sort());
      expect(new Set(stored.values())).toEqual(new Set(['COMPLETED']));
    } finally {
      await late.close();
    }
  });

  it("the collector's database refusing connections (5xx), then back: every event arrives once", async () => {
    await using dir = await tempDir();
    const db = new URL(ctx.databaseUrl).pathname.slice(1);
    const admin = (sql: string) => ctx.adminSql(sql);
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url, apiKey: `${PRODUCER.key}:${PRODUCER.secret}` }),
      retry: { initialMs: 20, maxMs: 300 },
    });
    const runs = Array.from({ length: 10 }, () => ol.run({ namespace: 'spine-emitter-outage', name: 'db' }));
    await admin(`alter database "${db}" allow_connections false`);
    try {
      await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${db}'`);
      for (const run of runs) {
        await emitter.emit(run.start());
        await emitter.emit(run.complete());
      }
      await new Promise((r) => setTimeout(r, 2_000));
      expect(emitter.stats().retriedBy.http_5xx ?? 0).toBeGreaterThan(0);
    } finally {
      await admin(`alter database "${db}" allow_connections true`);
    }
    expect(await emitter.close({ timeoutMs: 60_000 })).toEqual({ drained: true, pending: 0 });
    expect(emitter.stats()).toMatchObject({ spooled: 20, deadLettered: 0 });
    const stored = await storedRuns(app, 'db');
    expect([...stored.keys()].sort()).toEqual(runs.map((r) => r.runId).sort());
    expect(new Set(stored.values())).toEqual(new Set(['COMPLETED']));
  });

  it('the collector slow (its event table locked past the client timeout), then free: every event once', async () => {
    await using dir = await tempDir();
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({
        url,
        apiKey: `${PRODUCER.key}:${PRODUCER.secret}`,
        timeoutMs: 500,
      }),
      retry: { initialMs: 20, maxMs: 300 },
    });
    const runs = Array.from({ length: 5 }, () => ol.run({ namespace: 'spine-emitter-outage', name: 'slow' }));
    // A session that holds the collector's event table: its ingest waits on the lock, answering nothing.
    const lock = ctx.sql('begin; lock table lin_events in exclusive mode; select pg_sleep(3); commit');
    await new Promise((r) => setTimeout(r, 200));
    for (const run of runs) {
      await emitter.emit(run.start());
      await emitter.emit(run.complete());
    }
    await lock;
    expect(await emitter.close({ timeoutMs: 60_000 })).toEqual({ drained: true, pending: 0 });
    expect(emitter.stats().retriedBy.timeout ?? 0).toBeGreaterThan(0);
    expect(emitter.stats()).toMatchObject({ spooled: 10, deadLettered: 0 });
    const stored = await storedRuns(app, 'slow');
    expect([...stored.keys()].sort()).toEqual(runs.map((r) => r.runId).sort());
    expect(new Set(stored.values())).toEqual(new Set(['COMPLETED']));
    // Events sent twice (a timed-out request the collector later stored) were stored once.
    const events = await ctx.sql<{ n: string }>(
      `select count(*) as n from lin_events where job_name = 'slow'`,
    );
    expect(Number(events.rows[0]?.n)).toBe(10);
  });
});
