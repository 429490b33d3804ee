import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { KafkaBus } from '@data-spine/bus';
import type { BusRecord } from '@data-spine/bus';
import { HeartbeatEvent, Topics, TransactionEvent } from '@data-spine/contracts';
import type { TestContext } from '@data-spine/testkit';
import type { Capture, CaptureRecord } from '../src/capture/index.ts';
import { createCapture } from '../src/capture/index.ts';
import { eventually, startRouter } from './support/router.ts';
import { ITEM_CONTRACT, ITEM_DDL, startDebezium, startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

/**
 * Debezium's heartbeats (`heartbeat.interval.ms`, topic `__debezium-heartbeat.<prefix>`) and transaction
 * metadata (`provide.transaction.metadata`: BEGIN/END records on `<prefix>.transaction`, a `transaction`
 * block in every change) turned on. The router subscribes only to its sources' table topics, so the two
 * topics never reach it (the test reads them itself, to show they were written); in embedded mode the
 * capture hands such records to the router in its batches, which skips them. Either way the data flows,
 * the transaction blocks are accepted, and nothing is dead-lettered.
 */
const ROWS = 'select id::int as id, v from public.item order by id';

async function makeChanges(ctx: TestContext): Promise<void> {
  await ctx.sql(`begin; insert into public.item select g, 'v' || g from generate_series(1, 30) g; commit`);
  await ctx.sql(`begin; update public.item set v = 'u' || id where id % 3 = 0;
    delete from public.item where id % 5 = 0; commit`);
  await ctx.sql(`insert into public.item values (100, 'alone')`);
}

async function expectConverged(bed: TestBed): Promise<void> {
  const want = (await bed.ctx.sql(ROWS)).rows;
  expect(want).toHaveLength(25);
  await eventually(
    'the sink to equal the source',
    () => bed.dbs.query('eu', ROWS),
    (rows) => JSON.stringify(rows) === JSON.stringify(want),
    60_000,
  );
  const dead = await bed.dbs.query<{ n: string }>(
    'router',
    'select count(*)::text as n from public.cdc_dead_letter',
  );
  expect(dead[0]?.n).toBe('0');
}

describe('heartbeats and transaction metadata on', () => {
  describe('Kafka path (Debezium)', () => {
    let bed: TestBed;
    let router: { app: FastifyInstance } | undefined;
    let probe: KafkaBus | undefined;

    beforeAll(async () => {
      bed = await startTestBed('cdc-heartbeat-tx', {
        ddl: ITEM_DDL,
        contracts: { 'public.item': ITEM_CONTRACT },
      });
      const ctx = bed.ctx;
      await startDebezium(ctx, 'meta', ['public.item'], ctx.connect(), {
        heartbeatIntervalMs: 200,
        transactionMetadata: true,
      });
      router = await startRouter({
        mode: 'kafka',
        routesYaml: bed.routesYaml({ tables: ['public.item'] }),
        databaseUrl: bed.dbs.urls.router as string,
        sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
        sourceUrls: { shop: ctx.databaseUrl },
        registryUrl: bed.registry.url,
        gateUrl: bed.gate.url,
        kafka: ctx.kafkaBootstrap(),
        groupId: ctx.groupId,
      });
      probe = new KafkaBus({ clientId: `probe-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
    }, 120_000);

    afterAll(async () => {
      await probe?.close();
      await router?.app.close();
      await bed?.[Symbol.asyncDispose]();
    });

    it('data flows, transaction blocks are accepted, and nothing is dead-lettered', async () => {
      const ctx = bed.ctx;
      await makeChanges(ctx);
      await expectConverged(bed);
      // The connector did write both topics, and its change events carry the transaction block.
      const prefix = ctx.topicPrefix;
      const seen: BusRecord[] = [];
      const sub = await (probe as KafkaBus).subscribe(
        {
          groupId: `${ctx.groupId}-probe`,
          topics: [Topics.heartbeat(prefix), Topics.transactions(prefix), `${prefix}.public.item`],
        },
        async (b) => void seen.push(...b.records),
      );
      const on = (topic: string) => seen.filter((r) => r.topic === topic);
      const json = (r: BusRecord) => JSON.parse(r.value?.toString() ?? 'null') as unknown;
      try {
        await eventually(
          'heartbeat, transaction and change records',
          async () => seen.length,
          () =>
            on(Topics.heartbeat(prefix)).length > 0 &&
            on(Topics.transactions(prefix)).some((r) => (json(r) as { status?: string }).status === 'END') &&
            on(`${prefix}.public.item`).length > 0,
          30_000,
        );
      } finally {
        await sub.close();
      }
      for (const r of on(Topics.heartbeat(prefix)))
        expect(HeartbeatEvent.safeParse(json(r)).success).toBe(true);
      for (const r of on(Topics.transactions(prefix)))
        expect(TransactionEvent.safeParse(json(r)).success).toBe(true);
      const change = json(on(`${prefix}.public.item`)[0] as BusRecord) as { transaction?: { id?: string } };
      expect(change.transaction?.id).toEqual(expect.any(String));
      const metrics = await router?.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics?.body).not.toMatch(/spine_cdc_events_total\{[^}]*outcome="dead_lettered"/);
    });
  });

  describe('embedded path (the capture with heartbeats and transaction metadata)', () => {
    let bed: TestBed;
    let router: { app: FastifyInstance } | undefined;
    const kinds = new Map<CaptureRecord['kind'], number>();
    let txBlocks = 0;

    beforeAll(async () => {
      bed = await startTestBed('cdc-heartbeat-tx-emb', {
        ddl: ITEM_DDL,
        contracts: { 'public.item': ITEM_CONTRACT },
      });
      const ctx = bed.ctx;
      // Counts what the capture hands over before the router sees it.
      const observed = (capture: Capture): Capture =>
        new Proxy(capture, {
          get(target, prop) {
            if (prop === 'next')
              return async () => {
                const batch = await target.next();
                for (const r of batch?.records ?? []) {
                  kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
                  if (r.kind === 'change' && r.value.transaction) txBlocks++;
                }
                return batch;
              };
            const v: unknown = Reflect.get(target, prop, target);
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
      router = await startRouter({
        mode: 'embedded',
        routesYaml: bed.routesYaml({ tables: ['public.item'] }),
        databaseUrl: bed.dbs.urls.router as string,
        sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
        sourceUrls: { shop: ctx.databaseUrl },
        registryUrl: bed.registry.url,
        gateUrl: bed.gate.url,
        deps: {
          captureFor: (source) => {
            const slot = `${ctx.topicPrefix}_meta_emb`;
            const capture = createCapture({
              connectionString: ctx.databaseUrl,
              topicPrefix: source.topicPrefix,
              tables: source.tables ?? [],
              slotName: slot,
              publicationName: slot,
              batchMaxWaitMs: 5,
              heartbeatIntervalMs: 100,
              transactionMetadata: true,
            });
            return { capture: observed(capture), slot };
          },
        },
      });
    }, 120_000);

    afterAll(async () => {
      await router?.app.close();
      await bed?.[Symbol.asyncDispose]();
    });

    it('the capture hands over heartbeat and transaction records; the router skips them; data flows', async () => {
      // A heartbeat comes once the capture streams: the changes are then streamed, not snapshotted.
      await eventually(
        'a heartbeat',
        async () => kinds.get('heartbeat') ?? 0,
        (n) => n > 0,
        30_000,
      );
      await makeChanges(bed.ctx);
      await expectConverged(bed);
      // BEGIN and END of each of the three transactions.
      expect(kinds.get('transaction')).toBe(6);
      expect(kinds.get('change')).toBeGreaterThan(0);
      expect(txBlocks).toBe(kinds.get('change'));
      const metrics = await router?.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics?.body).not.toMatch(/spine_cdc_events_total\{[^}]*outcome="dead_lettered"/);
    });
  });
});
