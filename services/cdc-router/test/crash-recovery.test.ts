import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/**
 * Both paths under crashes: a workload of inserts, updates and deletes runs while the router process is
 * killed with SIGKILL at random moments and started again. Afterwards the sink equals the source exactly:
 * nothing lost (the slot was acknowledged, or the Kafka offsets committed, only after the sink commit),
 * nothing doubled (upserts by key), and per-key order kept (every update writes a higher version; the last
 * one must win). The Kafka path runs through Debezium in the shared stack's Connect; each restarted router
 * rejoins the consumer group while the killed member's session has not yet expired.
 * SPINE_CDC_CRASH_CHANGES sets the size: the full run of 100,000 changes by default.
 */
const CHANGES = Number(process.env.SPINE_CDC_CRASH_CHANGES ?? 100_000);
const KEYS = 2_000;
const KILLS = Number(process.env.SPINE_CDC_CRASH_KILLS ?? 4);

describe.each(['embedded', 'kafka'] as const)('kill -9 of the router during a large run (%s)', (mode) => {
  let bed: TestBed;
  let ctx: TestContext;
  let router: RouterProcess;
  let dir: string;

  beforeAll(async () => {
    bed = await startTestBed(`cdc-crash-${mode}`, {
      ddl: ACCOUNT_DDL,
      contracts: { 'public.account': ACCOUNT_CONTRACT },
    });
    ctx = bed.ctx;
    if (mode === 'kafka') {
      await startDebezium(ctx, 'crash', ['public.account']);
    }
    dir = mkdtempSync(join(tmpdir(), 'cdc-crash-'));
    const routes = join(dir, 'routes.yaml');
    writeFileSync(routes, bed.routesYaml({ tables: ['public.account'] }));
    router = new RouterProcess({
      ...routerEnv({
        mode,
        routesYaml: '',
        databaseUrl: bed.dbs.urls.router as string,
        sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
        sourceUrls: { shop: ctx.databaseUrl },
        registryUrl: bed.registry.url,
        gateUrl: bed.gate.url,
        ...(mode === 'kafka' ? { kafka: ctx.kafkaBootstrap(), groupId: ctx.groupId } : {}),
      }),
      SPINE_ROUTES_FILE: routes,
      SPINE_DATA_DIR: dir,
      SPINE_LOG_LEVEL: 'warn',
    });
  }, 120_000);

  afterAll(async () => {
    await router?.stop();
    await bed?.[Symbol.asyncDispose]();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    `${CHANGES}+ changes, ${KILLS} kills of a delivering router: the sink equals the source`,
    { timeout: 300_000 },
    async () => {
      router.start();
      if (mode === 'kafka') {
        // The connector streams and the router consumes before the kills begin (a row outside the key range).
        await ctx.sql(`insert into public.account values (${KEYS}, 0, 'warm')`);
        await eventually(
          'the first row through Debezium',
          () => bed.dbs.query('eu', `select 1 from public.account where id = ${KEYS}`),
          (rows) => rows.length === 1,
          90_000,
        );
      }
      const t0 = Date.now();
      const changes = new AccountWorkload(KEYS);
      let killing = true;
      const workload = (async () => {
        // At least CHANGES changes, and changes keep coming until the last kill, so that every kill lands
        // on a router that is moving data.
        while (changes.version < CHANGES || killing) {
          await ctx.sql(changes.transaction(200));
          // Paced so the run outlasts the kills (a Kafka restart rejoins the group only after the killed
          // member's session expires, ~10 s).
          if (changes.version >= CHANGES / 2)
            await new Promise((r) => setTimeout(r, mode === 'kafka' ? 100 : 20));
        }
      })();
      /** The newest source position in the sink: it moves only while the router delivers. */
      const sinkPosition = async () =>
        (
          await bed.dbs.query<{ p: string | null }>(
            'eu',
            'select max(_spine_lsn)::text as p from public.account',
          )
        )[0]?.p ?? null;
      const kills = (async () => {
        try {
          for (let k = 0; k < KILLS; k++) {
            const before = await sinkPosition().catch(() => null);
            await eventually(
              `router start ${k + 1} to deliver`,
              () => sinkPosition(),
              (p) => p !== null && p !== before,
              90_000,
            );
            await new Promise((r) => setTimeout(r, Math.random() * 1_000));
            console.log(
              `${mode}: kill ${k + 1} after ${Date.now() - t0} ms, ${changes.version} changes made`,
            );
            await router.kill();
            await new Promise((r) => setTimeout(r, Math.random() * 500));
            router.start();
          }
        } finally {
          killing = false;
        }
      })();
      await Promise.all([workload, kills]);
      await expectSinkEqualsSource(bed, () => `router log:\n${router.log}`);
      expect(router.starts).toBe(KILLS + 1);
      const dead = await bed.dbs.query<{ n: string }>(
        'router',
        'select count(*) as n from public.cdc_dead_letter',
      );
      expect(Number(dead[0]?.n)).toBe(0);
      console.log(
        `crash run (${mode}): ${changes.version} changes, ${KILLS} kills, converged after ${Date.now() - t0} ms`,
      );
    },
  );
});
