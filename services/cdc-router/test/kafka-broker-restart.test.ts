import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startKafka, startKafkaConnect } from '@data-spine/testkit';
import type { KafkaConnectHandle, KafkaHandle } from '@data-spine/testkit';
import {
  ACCOUNT_CONTRACT,
  ACCOUNT_DDL,
  AccountWorkload,
  expectSinkEqualsSource,
} from './support/account-workload.ts';
import { adminHeader } from './support/registry.ts';
import { eventually, startRouter } from './support/router.ts';
import { startDebezium, startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

/**
 * Postgres -> Debezium -> Kafka -> router -> sink while the Kafka broker restarts mid-stream. The broker and
 * its Connect worker are this test's own (the shared stack's broker is never touched). Afterwards the sink
 * equals the source exactly: nothing lost, nothing doubled, per-key order kept (versions only grow), and
 * nothing dead-lettered.
 */
describe('a Kafka broker restart mid-stream', () => {
  let bed: TestBed;
  let kafka: KafkaHandle;
  let connect: KafkaConnectHandle;
  let router: { app: FastifyInstance; url: string };
  const connector = () => `${bed.ctx.topicPrefix}-restart`;

  beforeAll(async () => {
    bed = await startTestBed('cdc-broker-restart', {
      ddl: ACCOUNT_DDL,
      contracts: { 'public.account': ACCOUNT_CONTRACT },
    });
    const { ctx } = bed;
    kafka = await startKafka({ partitions: 3 });
    connect = await startKafkaConnect({ bootstrap: kafka.bootstrap });
    await startDebezium(ctx, 'restart', ['public.account'], connect);
    router = await startRouter({
      mode: 'kafka',
      routesYaml: bed.routesYaml({ tables: ['public.account'] }),
      databaseUrl: bed.dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
      sourceUrls: { shop: ctx.databaseUrl },
      registryUrl: bed.registry.url,
      gateUrl: bed.gate.url,
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
    await bed?.[Symbol.asyncDispose]();
  });

  it('the router recovers and the sink equals the source', { timeout: 240_000 }, async () => {
    const sinkPosition = async () =>
      (
        await bed.dbs.query<{ p: string | null }>(
          'eu',
          'select max(_spine_lsn)::text as p from public.account',
        )
      )[0]?.p ?? null;
    const changes = new AccountWorkload(1_000, { insert: 0.6, update: 0.3 });
    let stop = false;
    let duringRestart = 0;
    let restarting = false;
    const workload = (async () => {
      while (!stop) {
        await bed.ctx.sql(changes.transaction(100));
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

    await expectSinkEqualsSource(bed);
    const dlq = (await (
      await fetch(`${router.url}/v1/dlq`, { headers: { authorization: adminHeader } })
    ).json()) as { depth: number };
    expect(dlq.depth).toBe(0);
    expect((await fetch(`${router.url}/readyz`)).status).toBe(200);
    console.log(
      `broker restart: ${changes.version} changes, ${duringRestart} of them committed while the broker was down`,
    );
  });
});
