import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import {
  ACCOUNT_CONTRACT,
  ACCOUNT_DDL,
  AccountWorkload,
  expectSinkEqualsSource,
} from './support/account-workload.ts';
import { eventually, routerEnv } from './support/router.ts';
import { RouterProcess } from './support/router-process.ts';
import { startDebezium, startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

const PARTITIONS = 3;
const KEYS = 300;

/** The changes a router process delivered so far (`spine_cdc_events_total{outcome="delivered"}`). */
async function delivered(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('spine_cdc_events_total{') && l.includes('outcome="delivered"'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/**
 * Distributed mode scales out as a consumer group: Debezium writes the table topic with several partitions
 * (`topic.creation.default.partitions`), one router delivers, a second joins the group while changes keep
 * coming (the partitions are split between them), then the first is stopped with SIGTERM (its partitions move
 * to the second). The sink ends equal to the source: nothing lost across either rebalance, nothing doubled
 * (upserts by key), per-key order kept (every change writes a higher version; the last one must win).
 */
describe('routers scale out as a consumer group (Kafka path)', () => {
  let bed: TestBed;
  let ctx: TestContext;
  let dir: string;
  const routers: RouterProcess[] = [];

  beforeAll(async () => {
    bed = await startTestBed('cdc-scale-out', {
      ddl: ACCOUNT_DDL,
      contracts: { 'public.account': ACCOUNT_CONTRACT },
    });
    ctx = bed.ctx;
    await startDebezium(ctx, 'scale', ['public.account'], ctx.connect(), {
      extra: {
        'topic.creation.default.replication.factor': '1',
        'topic.creation.default.partitions': String(PARTITIONS),
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'cdc-scale-out-'));
    writeFileSync(join(dir, 'routes.yaml'), bed.routesYaml({ tables: ['public.account'] }));
  }, 120_000);

  afterAll(async () => {
    for (const r of routers) await r.stop();
    await bed?.[Symbol.asyncDispose]();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const router = (port: number, name: string) => {
    const r = new RouterProcess({
      ...routerEnv({
        mode: 'kafka',
        routesYaml: '',
        databaseUrl: bed.dbs.urls.router as string,
        sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
        sourceUrls: { shop: ctx.databaseUrl },
        registryUrl: bed.registry.url,
        gateUrl: bed.gate.url,
        kafka: ctx.kafkaBootstrap(),
        groupId: ctx.groupId,
      }),
      SPINE_ROUTES_FILE: join(dir, 'routes.yaml'),
      SPINE_DATA_DIR: join(dir, name),
      SPINE_ROUTER_PORT: String(port),
      // Whichever creates the table topic first (router or Debezium) gives it the same partitions.
      SPINE_ROUTER_TOPIC_PARTITIONS: String(PARTITIONS),
      SPINE_ROUTER_BATCH_SIZE: '200',
      SPINE_LOG_LEVEL: process.env.SPINE_TEST_LOG ?? 'warn',
    });
    routers.push(r);
    r.start();
    return r;
  };

  it('a router joining mid-stream shares the partitions; the first one leaving with SIGTERM hands them over: the sink equals the source', async () => {
    const [portA, portB] = (await freePorts(2)) as [number, number];
    const a = router(portA, 'a');
    const logs = () => `router a:\n${a.log}\nrouter b:\n${routers[1]?.log ?? ''}`;
    // The connector streams and router A consumes (a row outside the workload's keys).
    await ctx.sql(`insert into public.account values (${KEYS}, 0, 'warm')`);
    await eventually(
      'the first row through Debezium and router A',
      () => bed.dbs.query('eu', `select 1 from public.account where id = ${KEYS}`),
      (rows) => rows.length === 1,
      60_000,
    );
    const changes = new AccountWorkload(KEYS);
    let running = true;
    const workload = (async () => {
      while (running) {
        await ctx.sql(changes.transaction(40));
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      const b = router(portB, 'b');
      // B joins: the group rebalances, and both deliver their share while the changes keep coming.
      await eventually(
        'router B to deliver',
        () => delivered(portB).catch(() => 0),
        (n) => n > 0,
        60_000,
      );
      const aAtSplit = await delivered(portA);
      await eventually(
        'router A to deliver its share too',
        () => delivered(portA),
        (n) => n > aAtSplit,
      );
      const bBeforeHandOver = await delivered(portB);
      // A leaves gracefully: its batch in flight is committed, it leaves the group, B takes its partitions.
      expect(await a.stop()).toEqual({ code: 0, signal: null });
      await eventually(
        'router B to go on alone',
        () => delivered(portB),
        (n) => n > bBeforeHandOver + 500,
        60_000,
      );
      running = false;
      await workload;
      await expectSinkEqualsSource(bed, logs);
      expect(b.log).not.toMatch(/"level":(50|60)/);
      const dead = await bed.dbs.query<{ n: string }>(
        'router',
        'select count(*)::text as n from public.cdc_dead_letter',
      );
      expect(dead[0]?.n).toBe('0');
      if (process.env.SPINE_TEST_LOG) console.log(logs());
      console.log(
        `scale-out: ${changes.version} changes; A delivered ${aAtSplit}+ before and after B joined`,
      );
    } finally {
      running = false;
      await workload;
    }
  }, 150_000);
});
