import type { FastifyInstance } from 'fastify';
import { debeziumPostgresConfig, useTestContext } from '@data-spine/testkit';
import type { ConnectRestClient, DebeziumPostgresOptions, TestContext } from '@data-spine/testkit';
import { extraDatabases } from './databases.ts';
import { startGate } from './real-gate.ts';
import { registerContract, startRegistry } from './registry.ts';

export interface TestBed {
  ctx: TestContext;
  /** `eu` (the sink), `router`, `registry`, `gate`. */
  dbs: Awaited<ReturnType<typeof extraDatabases>>;
  /** A test that restarts the registry puts the new one here, so that dispose closes it. */
  registry: { url: string; app: FastifyInstance };
  /** A test that restarts the gate puts the new one here, so that dispose closes it. */
  gate: Awaited<ReturnType<typeof startGate>>;
  /** A routes file of one source (this test's database, `tables`) routed to the EU sink. */
  routesYaml(o: { tables: readonly string[]; slot?: string; sinkExtra?: string }): string;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * What most router tests start from: a database of their own (the source), the sink, router, registry and
 * gate databases, the real registry and gate apps, and contracts registered for the source tables (JSON
 * Schema, `<prefix>.<table>-value`).
 */
export async function startTestBed(
  label: string,
  o: { ddl: string; contracts: Readonly<Record<string, Record<string, unknown>>> },
): Promise<TestBed> {
  const ctx = await useTestContext(label);
  const dbs = await extraDatabases(ctx, ['eu', 'router', 'registry', 'gate']);
  await ctx.sql(o.ddl);
  const registry = await startRegistry(dbs.urls.registry as string);
  const gate = await startGate(dbs.urls.gate as string, registry.url);
  for (const [table, schema] of Object.entries(o.contracts))
    await registerContract(registry.url, `${ctx.topicPrefix}.${table}`, schema);
  const bed: TestBed = {
    ctx,
    dbs,
    registry,
    gate,
    routesYaml: ({ tables, slot, sinkExtra }) => `version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: ${ctx.database}, topicPrefix: ${ctx.topicPrefix}, tables: [${tables.join(', ')}], slot: ${slot ?? `${ctx.topicPrefix}_emb`} }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu${sinkExtra ? `, ${sinkExtra}` : ''} }
routes:
  - { source: shop, tables: [${tables.join(', ')}], sink: analytics-eu, purpose: analytics }
`,
    async [Symbol.asyncDispose]() {
      await bed.gate.close();
      await bed.registry.app.close();
      await ctx[Symbol.asyncDispose]();
      await dbs.drop();
    },
  };
  return bed;
}

/** `public.item (id, v)`: the smallest governed table. */
export const ITEM_DDL = 'create table public.item (id int primary key, v text)';
export const ITEM_CONTRACT = {
  type: 'object',
  'data-spine:classification': 'internal',
  properties: {
    id: { type: 'integer', description: 'Key.' },
    v: { type: ['null', 'string'], description: 'Value.' },
  },
};

/**
 * Debezium's connector for `tables` of the test's database (with the deployed `poll.interval.ms`), on the
 * stack's Connect unless another is given; resolves once it runs. A connector made on another Connect must
 * be deleted by the test before the database goes.
 */
export async function startDebezium(
  ctx: TestContext,
  name: string,
  tables: readonly string[],
  connect: ConnectRestClient = ctx.connect(),
  /** More connector settings (heartbeats, transaction metadata; `extra` adds to the poll interval). */
  options: Partial<Omit<DebeziumPostgresOptions, 'databaseUrl' | 'topicPrefix' | 'tables' | 'slotName'>> = {},
): Promise<void> {
  await connect.createConnector(
    `${ctx.topicPrefix}-${name}`,
    debeziumPostgresConfig({
      ...options,
      databaseUrl: ctx.databaseUrl,
      topicPrefix: ctx.topicPrefix,
      tables,
      slotName: `${ctx.topicPrefix}_${name}`,
      extra: { 'poll.interval.ms': '50', ...options.extra },
    }),
  );
  await connect.waitForConnectorRunning(`${ctx.topicPrefix}-${name}`);
}
