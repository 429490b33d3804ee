import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { KafkaBus } from '@data-spine/bus';
import type { Subscription } from '@data-spine/bus';
import { adminHeader } from './support/registry.ts';
import { eventually, heldGauge, startRouter } from './support/router.ts';
import { ITEM_CONTRACT, ITEM_DDL, startDebezium, startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

/**
 * A dead letter that cannot be written stops the pipeline rather than drop the record: the table of dead
 * letters refuses every insert (as a full disk or a revoked grant would), a change of a table without a
 * contract must become a dead letter, and nothing after it moves, nothing is acknowledged or committed,
 * until the table takes writes again. Then the dead letter is written once and the held changes arrive.
 * Both paths: embedded (pgoutput) and Kafka (Debezium in the stack's Connect; there the dead letter also goes
 * to the dead-letter topic, at least once).
 */
describe.each(['embedded', 'kafka'] as const)('dead letters unwritable (%s)', (mode) => {
  let bed: TestBed;
  let router: { app: FastifyInstance; url: string };
  let bus: KafkaBus | undefined;
  const tables = ['public.item', 'public.orphan'];
  const sinkIds = () =>
    bed.dbs
      .query<{ id: number }>('eu', 'select id::int as id from public.item order by id')
      .then((r) => r.map((x) => x.id))
      .catch(() => []);
  const stored = () =>
    bed.dbs.query<{ reason: string; table_name: string }>(
      'router',
      'select reason, table_name from public.cdc_dead_letter order by id',
    );

  beforeAll(async () => {
    bed = await startTestBed(`cdc-dlq-fail-${mode}`, {
      // public.orphan is routed but never given a contract: each of its changes must become a dead letter.
      ddl: `${ITEM_DDL}; create table public.orphan (id int primary key, v text)`,
      contracts: { 'public.item': ITEM_CONTRACT },
    });
    const { ctx } = bed;
    if (mode === 'kafka') {
      await startDebezium(ctx, 'dlq', tables);
    }
    router = await startRouter({
      mode,
      routesYaml: bed.routesYaml({ tables }),
      databaseUrl: bed.dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
      sourceUrls: { shop: ctx.databaseUrl },
      registryUrl: bed.registry.url,
      gateUrl: bed.gate.url,
      ...(mode === 'kafka' ? { kafka: ctx.kafkaBootstrap(), groupId: ctx.groupId } : {}),
    });
    await ctx.sql(`insert into public.item values (1, 'one')`);
    await eventually('the first row', sinkIds, (r) => r.length === 1, 90_000);
  }, 180_000);

  afterAll(async () => {
    await bus?.close();
    await router?.app.close();
    await bed?.[Symbol.asyncDispose]();
  });

  it('the pipeline stops, nothing is dropped; fixed, it resumes and the dead letter is written once', async () => {
    const { ctx, dbs } = bed;
    await dbs.query(
      'router',
      `create function refuse_dead_letters() returns trigger language plpgsql as $$
         begin raise exception 'dead letters unwritable (test)'; end $$;
       create trigger refuse_dead_letters before insert on public.cdc_dead_letter
         for each statement execute function refuse_dead_letters()`,
    );
    await ctx.sql(`insert into public.orphan values (1, 'no contract')`);
    await eventually(
      'the pipeline to hold on the dead letters',
      () => heldGauge(router.url, 'dlq'),
      (v) => v === 1,
      30_000,
    );
    // A later change waits behind the record that could not be dead-lettered: nothing skipped.
    await ctx.sql(`insert into public.item values (2, 'after the refused record')`);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await sinkIds()).toEqual([1]);
    expect(await stored()).toEqual([]);
    expect(await heldGauge(router.url, 'dlq')).toBe(1);

    await dbs.query('router', 'drop trigger refuse_dead_letters on public.cdc_dead_letter');
    expect(await eventually('the held change', sinkIds, (r) => r.length === 2, 60_000)).toEqual([1, 2]);
    // Retried until it stuck, written once (idempotent per record and route).
    expect(await stored()).toEqual([{ reason: 'CDC_NO_CONTRACT', table_name: 'public.orphan' }]);
    const dlq = (await (
      await fetch(`${router.url}/v1/dlq`, { headers: { authorization: adminHeader } })
    ).json()) as { depth: number };
    expect(dlq.depth).toBe(1);
    expect(await heldGauge(router.url, 'dlq')).toBe(0);

    if (mode === 'kafka') {
      // The topic copy: at least once (each failed attempt wrote it before the table refused).
      bus = new KafkaBus({ clientId: `dlq-reader-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
      const reasons: string[] = [];
      const sub: Subscription = await bus.subscribe(
        { groupId: `${ctx.groupId}-dlq-reader`, topics: [`${ctx.topicPrefix}.spine.dlq`], from: 'earliest' },
        async (batch) => {
          for (const r of batch.records)
            reasons.push((JSON.parse(String(r.value)) as { reason: string; table: string }).reason);
        },
      );
      await eventually(
        'the dead letter on its topic',
        async () => [...reasons],
        (r) => r.length > 0,
        30_000,
      );
      await sub.close();
      expect(new Set(reasons)).toEqual(new Set(['CDC_NO_CONTRACT']));
    }
  });
});
