import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { debeziumPostgresConfig, startKafka, startKafkaConnect, useTestContext } from '@data-spine/testkit';
import type { KafkaConnectHandle, KafkaHandle, TestContext } from '@data-spine/testkit';
import { extraDatabases } from './support/databases.ts';
import { startGate } from './support/real-gate.ts';
import { adminHeader, registerContract, startRegistry } from './support/registry.ts';
import { eventually, startRouter } from './support/router.ts';

/**
 * Postgres -> Debezium -> Kafka -> router -> sink while the Kafka broker restarts mid-stream. The broker and
 * its Connect worker are this test's own (the shared stack's broker is never touched). Afterwards the sink
 * equals the source exactly: nothing lost, nothing doubled, per-key order kept (versions only grow), and
 * nothing dead-lettered.
 */
const KEYS = 1_000;

describe('a Kafka broker restart mid-stream', () => {
  let ctx: TestContext;
  let dbs: Awaited<ReturnType<typeof extraDatabases>>;
  let kafka: KafkaHandle;
  let connect: KafkaConnectHandle;
  let registry: { url: string; app: FastifyInstance };
  let gate: Awaited<ReturnType<typeof startGate>>;
  let router: { app: FastifyInstance; url: string };
  const connector = () => `${ctx.topicPrefix}-restart`;

  beforeAll(async () => {
    ctx = await useTestContext('cdc-broker-restart');
    dbs = await extraDatabases(ctx, ['eu', 'router', 'registry', 'gate']);
    await ctx.sql('create table public.account (id int primary key, version bigint not null, note text)');
    kafka = await startKafka({ partitions: 3 });
    connect = await startKafkaConnect({ bootstrap: kafka.bootstrap });
    registry = await startRegistry(dbs.urls.registry as string);
    gate = await startGate(dbs.urls.gate as string, registry.url);
    await registerContract(registry.url, `${ctx.topicPrefix}.public.account`, {
      type: 'object',
      'data-spine:classification': 'internal',
      properties: {
        id: { type: 'integer', description: 'Key.' },
        version: { type: 'integer', description: 'Bumped by every change.' },
        note: { type: ['null', 'string'], description: 'Free text.' },
      },
    });
    await connect.createConnector(
      connector(),
      debeziumPostgresConfig({
        databaseUrl: ctx.databaseUrl,
        topicPrefix: ctx.topicPrefix,
        tables: ['public.account'],
        slotName: `${ctx.topicPrefix}_restart`,
        extra: { 'poll.interval.ms': '50' },
      }),
    );
    await connect.waitForConnectorRunning(connector());
    router = await startRouter({
      mode: 'kafka',
      routesYaml: `version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: ${ctx.database}, topicPrefix: ${ctx.topicPrefix}, tables: [public.account] }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu }
routes:
  - { source: shop, tables: [public.account], sink: analytics-eu, purpose: analytics }
`,
      databaseUrl: dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': dbs.urls.eu as string },
      sourceUrls: { shop: ctx.databaseUrl },
      registryUrl: registry.url,
      gateUrl: gate.url,
      kafka: kafka.bootstrap,
      groupId: ctx.groupId,
      extraEnv: { SPINE_ROUTER_TOPIC_PARTITIONS: '3' },
    });
  }, 240_000);

  afterAll(async () => {
    await router?.app.close();
    // The connector goes before the database and its slot do.
    await connect?.deleteConnector(connector()).catch(() => {});
    await connect?.stop();
    await kafka?.stop();
    await gate?.close();
    await registry?.app.close();
    await ctx?.[Symbol.asyncDispose]();
    await dbs?.drop();
  });

  it('the router recovers and the sink equals the source', { timeout: 240_000 }, async () => {
    type Account = { id: number; version: string; note: string };
    const read = (sql: (q: string) => Promise<Account[]>) =>
      sql('select id::int as id, version::text, note from public.account order by id');
    const sinkPosition = async () =>
      (
        await dbs.query<{ p: string | null }>('eu', 'select max(_spine_lsn)::text as p from public.account')
      )[0]?.p ?? null;

    let version = 0;
    let stop = false;
    let duringRestart = 0;
    let restarting = false;
    const workload = (async () => {
      while (!stop) {
        const stmts: string[] = [];
        for (let i = 0; i < 100; i++) {
          const id = Math.floor(Math.random() * KEYS);
          const r = Math.random();
          version++;
          if (r < 0.6)
            stmts.push(
              `insert into public.account values (${id}, ${version}, 'n${version}') on conflict (id) do update set version = excluded.version, note = excluded.note`,
            );
          else if (r < 0.9)
            stmts.push(
              `update public.account set version = ${version}, note = 'u${version}' where id = ${id}`,
            );
          else stmts.push(`delete from public.account where id = ${id}`);
        }
        await ctx.sql(`begin; ${stmts.join('; ')}; commit`);
        if (restarting) duringRestart += 100;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    // Data is moving before the restart...
    await eventually('the first changes in the sink', sinkPosition, (p) => p !== null, 90_000);
    const before = await sinkPosition();
    await eventually('more changes in the sink', sinkPosition, (p) => p !== before, 30_000);
    restarting = true;
    await kafka.restart();
    restarting = false;
    // ...and again after it, with the router's same consumer (no restart of the router).
    const afterRestart = await sinkPosition();
    await eventually('changes after the restart', sinkPosition, (p) => p !== afterRestart, 120_000);
    await new Promise((r) => setTimeout(r, 2_000));
    stop = true;
    await workload;
    expect(duringRestart).toBeGreaterThan(0);

    const expected = await read((q) => ctx.sql<Account>(q).then((r) => r.rows));
    const sink = await eventually(
      'the sink to equal the source',
      () => read((q) => dbs.query<Account>('eu', q)),
      (rows) => JSON.stringify(rows) === JSON.stringify(expected),
      120_000,
    );
    expect(sink).toEqual(expected);
    const dlq = (await (
      await fetch(`${router.url}/v1/dlq`, { headers: { authorization: adminHeader } })
    ).json()) as { depth: number };
    expect(dlq.depth).toBe(0);
    expect((await fetch(`${router.url}/readyz`)).status).toBe(200);
    console.log(
      `broker restart: ${version} changes, ${duringRestart} of them committed while the broker was down`,
    );
  });
});
