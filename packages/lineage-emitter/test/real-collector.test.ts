import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, loadLineageConfig, OpenLineageValidator } from '@data-spine/lineage-collector';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
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

beforeAll(async () => {
  ctx = await useTestContext('lineage-emitter-collector');
  app = await buildApp(
    loadLineageConfig({
      SPINE_DATABASE_URL: ctx.databaseUrl,
      SPINE_LOG_LEVEL: 'silent',
      // A small ingest queue, so a burst meets the collector's 503 + Retry-After backpressure.
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
