import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { debeziumPostgresConfig, useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { extraDatabases } from './support/databases.ts';
import { startGate } from './support/real-gate.ts';
import { registerContract, startRegistry } from './support/registry.ts';
import { eventually, routerEnv } from './support/router.ts';
import { RouterProcess } from './support/router-process.ts';

/**
 * Both paths under crashes: a workload of inserts, updates and deletes runs while the router process is
 * killed with SIGKILL at random moments and started again. Afterwards the sink equals the source exactly:
 * nothing lost (the slot was acknowledged, or the Kafka offsets committed, only after the sink commit),
 * nothing doubled (upserts by key), and per-key order kept (every update writes a higher version; the last
 * one must win). The Kafka path runs through Debezium in the shared stack's Connect; each restarted router
 * rejoins the consumer group while the killed member's session has not yet expired.
 * SPINE_CDC_CRASH_CHANGES sets the size (the issue's full run: 100000).
 */
const CHANGES = Number(process.env.SPINE_CDC_CRASH_CHANGES ?? 20_000);
const KEYS = 2_000;
const KILLS = Number(process.env.SPINE_CDC_CRASH_KILLS ?? 4);

describe.each(['embedded', 'kafka'] as const)('kill -9 of the router during a large run (%s)', (mode) => {
  let ctx: TestContext;
  let dbs: Awaited<ReturnType<typeof extraDatabases>>;
  let registry: { url: string; app: FastifyInstance };
  let gate: Awaited<ReturnType<typeof startGate>>;
  let router: RouterProcess;
  let dir: string;

  beforeAll(async () => {
    ctx = await useTestContext(`cdc-crash-${mode}`);
    dbs = await extraDatabases(ctx, ['eu', 'router', 'registry', 'gate']);
    await ctx.sql('create table public.account (id int primary key, version bigint not null, note text)');
    registry = await startRegistry(dbs.urls.registry as string);
    gate = await startGate(dbs.urls.gate as string, registry.url);
    await registerContract(registry.url, `${ctx.topicPrefix}.public.account`, {
      type: 'object',
      'data-spine:classification': 'internal',
      properties: {
        id: { type: 'integer', description: 'Key.' },
        version: { type: 'integer', description: 'Bumped by every update.' },
        note: { type: ['null', 'string'], description: 'Free text.' },
      },
    });
    if (mode === 'kafka') {
      await ctx.connect().createConnector(
        `${ctx.topicPrefix}-crash`,
        debeziumPostgresConfig({
          databaseUrl: ctx.databaseUrl,
          topicPrefix: ctx.topicPrefix,
          tables: ['public.account'],
          slotName: `${ctx.topicPrefix}_dbz`,
          extra: { 'poll.interval.ms': '50' },
        }),
      );
      await ctx.connect().waitForConnectorRunning(`${ctx.topicPrefix}-crash`);
    }
    dir = mkdtempSync(join(tmpdir(), 'cdc-crash-'));
    const routes = join(dir, 'routes.yaml');
    writeFileSync(
      routes,
      `version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: ${ctx.database}, topicPrefix: ${ctx.topicPrefix}, tables: [public.account], slot: ${ctx.topicPrefix}_crash }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu }
routes:
  - { source: shop, tables: [public.account], sink: analytics-eu, purpose: analytics }
`,
    );
    router = new RouterProcess({
      ...routerEnv({
        mode,
        routesYaml: '',
        databaseUrl: dbs.urls.router as string,
        sinkUrls: { 'analytics-eu': dbs.urls.eu as string },
        sourceUrls: { shop: ctx.databaseUrl },
        registryUrl: registry.url,
        gateUrl: gate.url,
        ...(mode === 'kafka' ? { kafka: ctx.kafkaBootstrap(), groupId: ctx.groupId } : {}),
      }),
      SPINE_ROUTES_FILE: routes,
      SPINE_DATA_DIR: dir,
      SPINE_LOG_LEVEL: 'warn',
    });
  }, 120_000);

  afterAll(async () => {
    await router?.stop();
    await gate?.close();
    await registry?.app.close();
    await ctx?.[Symbol.asyncDispose]();
    await dbs?.drop();
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
          () => dbs.query('eu', `select 1 from public.account where id = ${KEYS}`),
          (rows) => rows.length === 1,
          90_000,
        );
      }
      const t0 = Date.now();
      let done = 0;
      let version = 0;
      let killing = true;
      const workload = (async () => {
        const perTx = 200;
        // At least CHANGES changes, and changes keep coming until the last kill, so that every kill lands on
        // a router that is moving data.
        while (done < CHANGES || killing) {
          // Each transaction: inserts of new keys (upserted if present), updates and deletes of random keys.
          const stmts: string[] = [];
          for (let i = 0; i < perTx; i++, done++) {
            const id = Math.floor(Math.random() * KEYS);
            const r = Math.random();
            version++;
            if (r < 0.5)
              stmts.push(
                `insert into public.account values (${id}, ${version}, 'n${version}') on conflict (id) do update set version = excluded.version, note = excluded.note`,
              );
            else if (r < 0.85)
              stmts.push(
                `update public.account set version = ${version}, note = 'u${version}' where id = ${id}`,
              );
            else stmts.push(`delete from public.account where id = ${id}`);
          }
          await ctx.sql(`begin; ${stmts.join('; ')}; commit`);
          // Paced so the run outlasts the kills (a Kafka restart rejoins the group only after the killed
          // member's session expires, ~10 s).
          if (done >= CHANGES / 2) await new Promise((r) => setTimeout(r, mode === 'kafka' ? 100 : 20));
        }
      })();
      /** The newest source position in the sink: it moves only while the router delivers. */
      const sinkPosition = async () =>
        (
          await dbs.query<{ p: string | null }>('eu', 'select max(_spine_lsn)::text as p from public.account')
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
            console.log(`${mode}: kill ${k + 1} after ${Date.now() - t0} ms, ${done} changes made`);
            await router.kill();
            await new Promise((r) => setTimeout(r, Math.random() * 500));
            router.start();
          }
        } finally {
          killing = false;
        }
      })();
      await Promise.all([workload, kills]);
      const source = async () =>
        (
          await ctx.sql<{ id: number; version: string; note: string }>(
            'select id::int as id, version::text, note from public.account order by id',
          )
        ).rows;
      const expected = await source();
      const sink = await eventually(
        'the sink to equal the source',
        () =>
          dbs.query<{ id: number; version: string; note: string }>(
            'eu',
            'select id::int as id, version::text, note from public.account order by id',
          ),
        (rows) => JSON.stringify(rows) === JSON.stringify(expected),
        90_000,
      ).catch(async () => {
        const got = await dbs.query<{ id: number; version: string; note: string }>(
          'eu',
          'select id::int as id, version::text, note from public.account order by id',
        );
        const want = new Map(expected.map((r) => [r.id, JSON.stringify(r)]));
        const have = new Map(got.map((r) => [r.id, JSON.stringify(r)]));
        const diff = [...new Set([...want.keys(), ...have.keys()])]
          .filter((k) => want.get(k) !== have.get(k))
          .slice(0, 10);
        throw new Error(
          `sink differs (${expected.length} vs ${got.length} rows): ${diff.map((k) => `${k}: want ${want.get(k)} have ${have.get(k)}`).join('; ')}\nrouter log:\n${router.log}`,
        );
      });
      expect(sink).toEqual(expected);
      expect(router.starts).toBe(KILLS + 1);
      const dead = await dbs.query<{ n: string }>(
        'router',
        'select count(*) as n from public.cdc_dead_letter',
      );
      expect(Number(dead[0]?.n)).toBe(0);
      console.log(
        `crash run (${mode}): ${done} changes, ${KILLS} kills, converged after ${Date.now() - t0} ms`,
      );
    },
  );
});
