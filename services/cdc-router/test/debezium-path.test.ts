import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { KafkaBus } from '@data-spine/bus';
import { debeziumPostgresConfig, useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { extraDatabases } from './support/databases.ts';
import { startCollector } from './support/collector.ts';
import { startGate } from './support/real-gate.ts';
import {
  ADMIN_CREDENTIAL,
  adminHeader,
  CUSTOMER_CONTRACT,
  registerContract,
  startRegistry,
  TICKET_CONTRACT,
} from './support/registry.ts';
import { eventually, startRouter } from './support/router.ts';

/**
 * The distributed path end to end: Postgres -> Debezium (Kafka Connect) -> Kafka -> router -> gate
 * decision -> obligations -> two Postgres sinks; dead letters for a table without a contract and for a
 * poison record; replay after the contract is registered.
 */
const HASH_KEY = 'test-hash-key-0123456789';
const hmac = (v: string) => createHmac('sha256', HASH_KEY).update(v).digest('hex');
const ids = {
  ada: '00000000-0000-4000-8000-000000000001',
  grace: '00000000-0000-4000-8000-000000000002',
  graceNew: '00000000-0000-4000-8000-000000000003',
  temp: '00000000-0000-4000-8000-000000000004',
};

describe('Debezium -> Kafka -> router -> sinks', () => {
  let ctx: TestContext;
  let dbs: Awaited<ReturnType<typeof extraDatabases>>;
  let registry: { url: string; app: FastifyInstance };
  let gate: Awaited<ReturnType<typeof startGate>>;
  let router: { app: FastifyInstance; url: string };
  let bus: KafkaBus;
  let collector: { url: string; app: FastifyInstance };
  let dataDir: string;
  let prefix: string;

  beforeAll(async () => {
    ctx = await useTestContext('cdc-debezium');
    prefix = ctx.topicPrefix;
    dbs = await extraDatabases(ctx, ['eu', 'us', 'router', 'registry', 'gate', 'lineage']);
    collector = await startCollector(dbs.urls.lineage as string);
    dataDir = mkdtempSync(join(tmpdir(), 'cdc-debezium-'));
    writeFileSync(join(dataDir, 'admin-key'), `${ADMIN_CREDENTIAL}\n`, { mode: 0o600 });
    await ctx.sql(`create table public.customer (
      id uuid primary key, name text, email text, status text, created_at timestamptz,
      annual_revenue numeric(14,2), industry text)`);
    await ctx.sql('alter table public.customer replica identity full');
    await ctx.sql(
      'create table public.support_ticket (id bigint primary key, subject text, body text, card_number text)',
    );
    await ctx.sql('create table public.audit_log (id bigint primary key, note text)');
    await ctx.sql(
      `insert into public.customer values ($1, 'Ada Lovelace', 'ada@example.com', 'active', '2024-01-02T03:04:05Z', 1234567.89, 'Computing')`,
      [ids.ada],
    );
    registry = await startRegistry(dbs.urls.registry as string);
    gate = await startGate(dbs.urls.gate as string, registry.url);
    await registerContract(registry.url, `${prefix}.public.customer`, CUSTOMER_CONTRACT);
    await registerContract(registry.url, `${prefix}.public.support_ticket`, TICKET_CONTRACT);
    const tables = ['public.customer', 'public.support_ticket', 'public.audit_log'];
    const routesYaml = `
version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: shop, topicPrefix: ${prefix}, tables: [${tables.join(', ')}] }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu, ttl: P2Y }
  - { id: analytics-us, type: postgres, region: us-east-1, database: analytics_us, ttl: P1Y }
routes:
  - { source: shop, tables: ['public.*'], sink: analytics-eu, purpose: analytics }
  - { source: shop, tables: ['public.*'], sink: analytics-us, purpose: analytics }
dead-letter: { topic: ${prefix}.spine.dlq, maxAttempts: 5, replay: { ratePerSecond: 200 } }
`;
    await ctx.connect().createConnector(
      `${prefix}-shop`,
      debeziumPostgresConfig({
        databaseUrl: ctx.databaseUrl,
        topicPrefix: prefix,
        tables,
        slotName: `${prefix}_shop`,
        schemas: true,
        decimalHandling: 'precise',
        extra: {
          'skipped.operations': 'none',
          'topic.creation.default.replication.factor': '1',
          'topic.creation.default.partitions': '2',
        },
      }),
    );
    await ctx.connect().waitForConnectorRunning(`${prefix}-shop`);
    bus = new KafkaBus({ clientId: `poison-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
    router = await startRouter({
      mode: 'kafka',
      routesYaml,
      databaseUrl: dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': dbs.urls.eu as string, 'analytics-us': dbs.urls.us as string },
      sourceUrls: { shop: ctx.databaseUrl },
      registryUrl: registry.url,
      gateUrl: gate.url,
      kafka: ctx.kafkaBootstrap(),
      groupId: ctx.groupId,
      adminKeyFile: join(dataDir, 'admin-key'),
      extraEnv: {
        SPINE_LINEAGE_URL: collector.url,
        SPINE_ROUTER_LINEAGE_WINDOW_MS: '300',
        SPINE_DATA_DIR: dataDir,
      },
    });
  }, 180_000);

  afterAll(async () => {
    await router?.app.close();
    await bus?.close();
    await gate?.close();
    await registry?.app.close();
    await collector?.app.close();
    await ctx?.[Symbol.asyncDispose]();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await dbs?.drop();
  });

  const customers = (db: 'eu' | 'us') =>
    dbs.query<Record<string, unknown>>(
      db,
      `select id::text, name, email, status, annual_revenue::text, industry, _spine_decision_id from public.customer order by id`,
    );

  it('snapshots, inserts, updates, changes a key and deletes: EU whole, US with PII hashed', async () => {
    await ctx.sql(
      `insert into public.customer values ($1, 'Grace Hopper', 'grace@example.com', 'trial', '2024-02-03T04:05:06Z', 42.5, 'Navy'),
                                          ($2, 'Temp', null, null, null, null, null)`,
      [ids.grace, ids.temp],
    );
    await ctx.sql(`update public.customer set status = 'churned', annual_revenue = -0.01 where id = $1`, [
      ids.ada,
    ]);
    await ctx.sql(`update public.customer set id = $2 where id = $1`, [ids.grace, ids.graceNew]);
    await ctx.sql(`delete from public.customer where id = $1`, [ids.temp]);

    const eu = await eventually(
      'EU sink to converge',
      () => customers('eu'),
      (rows) =>
        rows.length === 2 &&
        rows.some((r) => r.id === ids.graceNew) &&
        rows.some((r) => r.status === 'churned'),
    );
    expect(eu.map((r) => ({ ...r, _spine_decision_id: undefined }))).toEqual([
      {
        id: ids.ada,
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        status: 'churned',
        annual_revenue: '-0.01',
        industry: 'Computing',
        _spine_decision_id: undefined,
      },
      {
        id: ids.graceNew,
        name: 'Grace Hopper',
        email: 'grace@example.com',
        status: 'trial',
        annual_revenue: '42.50',
        industry: 'Navy',
        _spine_decision_id: undefined,
      },
    ]);
    expect(eu.every((r) => typeof r._spine_decision_id === 'string')).toBe(true);
    const us = await eventually(
      'US sink to converge',
      () => customers('us'),
      (rows) => rows.length === 2 && rows.some((r) => r.id === ids.graceNew),
    );
    const ada = us.find((r) => r.id === ids.ada);
    expect(ada?.email).toBe(hmac('ada@example.com'));
    expect(ada?.name).toBe(hmac('Ada Lovelace'));
    expect(ada?.status).toBe('churned');
    expect(JSON.stringify(us)).not.toContain('@example.com');
    // A late, older insert of the deleted row must not bring it back: the tombstone is newer.
    const tomb = await dbs.query<{ n: string }>(
      'eu',
      `select count(*) as n from spine.tombstones where tbl = 'public.customer'`,
    );
    expect(Number(tomb[0]?.n)).toBeGreaterThanOrEqual(2);
  });

  it('records OpenLineage: a job per route with its datasets and the gate decision, no residency conflict', async () => {
    type Job = {
      inputs: { namespace: string; name: string }[];
      outputs: { namespace: string; name: string }[];
      latestRun: { id: string } | null;
    };
    const job = await eventually(
      'the US route job in the collector',
      async () => {
        const res = await fetch(
          `${collector.url}/api/v1/namespaces/data-spine/jobs/${encodeURIComponent('cdc.shop-to-analytics-us')}`,
        );
        return res.ok ? ((await res.json()) as Job) : null;
      },
      (j) => j !== null && j.latestRun !== null && j.outputs.length > 0,
      30_000,
    );
    const us = new URL(dbs.urls.us as string);
    const src = new URL(ctx.databaseUrl);
    expect(job?.inputs).toContainEqual({
      namespace: `postgres://${src.hostname}:${src.port}`,
      name: 'shop.public.customer',
    });
    expect(job?.outputs).toContainEqual({
      namespace: `postgres://${us.hostname}:${us.port}`,
      name: `${us.pathname.slice(1)}.public.customer`,
    });
    const facets = (await (
      await fetch(`${collector.url}/api/v1/runs/${job?.latestRun?.id}/facets?type=run`)
    ).json()) as {
      facets: { residencyDecision?: { decision: string; decision_id: string } };
    };
    expect(facets.facets.residencyDecision?.decision).toBe('allow_with_obligations');
    const conflicts = (await (await fetch(`${collector.url}/api/v1/residency/conflicts`)).json()) as {
      totalCount: number;
    };
    expect(conflicts.totalCount).toBe(0);
  });

  it('keeps TOASTed values, masks PCI in its region and keeps it out of the US, honours a truncate', async () => {
    const body = Array.from({ length: 400 }, (_, i) => `${i}-${Math.random().toString(36)}`).join(' ');
    await ctx.sql(
      `insert into public.support_ticket values (1, 'Login', $1, '4111111111111111'), (2, 'Refund', 'short', null)`,
      [body],
    );
    await ctx.sql(`update public.support_ticket set subject = 'Login fails' where id = 1`);
    const eu = await eventually(
      'ticket update in EU',
      () =>
        dbs.query<{ id: string; subject: string; body: string; card_number: string | null }>(
          'eu',
          'select id::text, subject, body, card_number from public.support_ticket order by id',
        ),
      (rows) => rows.length === 2 && rows[0]?.subject === 'Login fails',
    );
    expect(eu[0]?.body).toBe(body);
    expect(eu[0]?.body).not.toContain('__debezium_unavailable_value');
    expect(eu[0]?.card_number).toBe('****');
    // Cardholder data never leaves its region: the gate denies the route to the US for this table.
    const deniedUs = await eventually(
      'tickets refused for the US',
      async () => {
        const res = await fetch(`${router.url}/v1/dlq?reason=CDC_DENIED&table=public.support_ticket`, {
          headers: { authorization: adminHeader },
        });
        return ((await res.json()) as { dead_letters: { route: string; decision_id: string | null }[] })
          .dead_letters;
      },
      (d) => d.length >= 3,
    );
    expect(new Set(deniedUs.map((d) => d.route))).toEqual(new Set(['shop-to-analytics-us']));
    expect(await dbs.query('us', `select to_regclass('public.support_ticket') as t`)).toEqual([{ t: null }]);
    await ctx.sql('truncate public.support_ticket');
    await ctx.sql(`insert into public.support_ticket values (3, 'After truncate', 'x', null)`);
    await eventually(
      'truncate in EU',
      () => dbs.query<{ id: string }>('eu', 'select id::text from public.support_ticket order by id'),
      (rows) => rows.length === 1 && rows[0]?.id === '3',
    );
  });

  it('dead-letters a table without a contract and a poison record (also on the topic); replayed, the first arrive, the poison is refused again', async () => {
    await ctx.sql(`insert into public.audit_log values (1, 'first'), (2, 'second')`);
    await bus.send([{ topic: `${prefix}.public.customer`, key: '{"id":"x"}', value: 'this is not json' }]);
    const list = async () => {
      const res = await fetch(`${router.url}/v1/dlq?limit=100`, { headers: { authorization: adminHeader } });
      expect(res.status).toBe(200);
      return (await res.json()) as {
        dead_letters: {
          id: string;
          reason: string;
          table: string | null;
          route: string | null;
          offset: string | null;
          topic: string;
        }[];
      };
    };
    const dl = await eventually(
      'dead letters',
      list,
      (b) =>
        b.dead_letters.filter((d) => d.reason === 'CDC_NO_CONTRACT').length === 4 &&
        b.dead_letters.some((d) => d.reason === 'CDC_PARSE_ERROR'),
    );
    const parse = dl.dead_letters.find((d) => d.reason === 'CDC_PARSE_ERROR');
    expect(parse?.topic).toBe(`${prefix}.public.customer`);
    expect(parse?.offset).not.toBeNull();
    expect((await fetch(`${router.url}/v1/dlq`)).status).toBe(401);
    const bad = await fetch(`${router.url}/v1/dlq?reason=nope`, { headers: { authorization: adminHeader } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('SPINE_VALIDATION');

    await registerContract(registry.url, `${prefix}.public.audit_log`, {
      type: 'object',
      'data-spine:classification': 'internal',
      properties: {
        id: { type: 'integer', description: 'Key.' },
        note: { type: ['null', 'string'], description: 'Note.' },
      },
    });
    await new Promise((r) => setTimeout(r, 1100)); // the router's contract cache (1 s in tests)
    const replay = async (dryRun: boolean) => {
      const res = await fetch(`${router.url}/v1/dlq:replay`, {
        method: 'POST',
        headers: { authorization: adminHeader, 'content-type': 'application/json' },
        body: JSON.stringify({ replay_id: 'r-1', filter: { reason: 'CDC_NO_CONTRACT' }, dry_run: dryRun }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as {
        replayed: number;
        dead_lettered: number;
        already_handled: number;
        remaining: number;
      };
    };
    expect(await replay(true)).toMatchObject({ replayed: 4, dead_lettered: 0 });
    expect(await dbs.query('eu', `select to_regclass('public.audit_log') as t`)).toEqual([{ t: null }]);
    expect(await replay(false)).toMatchObject({ replayed: 4, dead_lettered: 0, remaining: 0 });
    expect(await replay(false)).toMatchObject({ replayed: 0, already_handled: 0, remaining: 0 });
    for (const db of ['eu', 'us'] as const)
      expect(await dbs.query(db, 'select id::text, note from public.audit_log order by id')).toEqual([
        { id: '1', note: 'first' },
        { id: '2', note: 'second' },
      ]);

    // The poison record is on the dead-letter topic too, as it arrived, with where it came from.
    const onTopic: { reason: string; original: { topic: string; offset: string }; value: string }[] = [];
    const sub = await bus.subscribe(
      { groupId: `${ctx.groupId}-dlq-reader`, topics: [`${prefix}.spine.dlq`], from: 'earliest' },
      async (batch) => {
        for (const r of batch.records) onTopic.push(JSON.parse(String(r.value)) as (typeof onTopic)[number]);
      },
    );
    const poison = await eventually(
      'the poison record on the dead-letter topic',
      async () => onTopic.filter((d) => d.reason === 'CDC_PARSE_ERROR'),
      (d) => d.length > 0,
      30_000,
    );
    await sub.close();
    expect(poison[0]).toMatchObject({
      original: { topic: `${prefix}.public.customer`, offset: parse?.offset },
      value: 'this is not json',
    });
    // Replayed, it is still poison: refused again (nothing written), still pending.
    const poisonNow = async () =>
      (await (
        await fetch(`${router.url}/v1/dlq/${parse?.id}`, { headers: { authorization: adminHeader } })
      ).json()) as { status: string; reason: string; attempts: number };
    const attempts = (await poisonNow()).attempts;
    const res = await fetch(`${router.url}/v1/dlq:replay`, {
      method: 'POST',
      headers: { authorization: adminHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ replay_id: 'r-poison', filter: { reason: 'CDC_PARSE_ERROR' } }),
    });
    expect(await res.json()).toMatchObject({ replayed: 0, dead_lettered: 1, remaining: 1 });
    expect(await poisonNow()).toMatchObject({
      status: 'pending',
      reason: 'CDC_PARSE_ERROR',
      attempts: attempts + 1,
    });
  });

  it('follows a policy change mid-stream: new obligations, then a deny that holds data back, then replay', async () => {
    const ready = await fetch(`${router.url}/readyz`);
    expect(ready.status).toBe(200);
    const original = readFileSync(gate.matrixFile, 'utf8');
    const v1 = router.app.cdc.decisions.policyVersion;
    expect(v1).toBe('2026.12.7');
    // v2: personal data leaving the EEA is masked instead of hashed.
    await gate.editMatrix((y) =>
      y
        .replace("version: '2026.12.7'", "version: '2026.12.2'")
        .replace(/(id: pii-eea-export[\s\S]*?fields:) hash\n\s*hash_key: [\w-]+/, '$1 mask'),
    );
    await eventually(
      'policy v2 seen',
      async () => router.app.cdc.decisions.policyVersion,
      (v) => v === '2026.12.2',
      15_000,
    );
    await ctx.sql(`update public.customer set status = 'v2' where id = $1`, [ids.ada]);
    const us = await eventually(
      'v2 change in US',
      () => customers('us'),
      (rows) => rows.find((r) => r.id === ids.ada)?.status === 'v2',
    );
    expect(us.find((r) => r.id === ids.ada)).toMatchObject({ name: '****', email: '****' });
    // v3: confidential business data is no longer allowed anywhere: the change is refused, not guessed.
    await gate.editMatrix((y) =>
      y
        .replace("version: '2026.12.2'", "version: '2026.12.3'")
        .replace(
          'match: { classifications: [internal, confidential] }',
          'match: { classifications: [internal] }',
        ),
    );
    await eventually(
      'policy v3 seen',
      async () => router.app.cdc.decisions.policyVersion,
      (v) => v === '2026.12.3',
      15_000,
    );
    await ctx.sql(`update public.customer set status = 'denied-change' where id = $1`, [ids.ada]);
    const denied = await eventually(
      'denied change dead-lettered',
      async () => {
        const res = await fetch(`${router.url}/v1/dlq?reason=CDC_DENIED&table=public.customer`, {
          headers: { authorization: adminHeader },
        });
        return ((await res.json()) as { dead_letters: { decision_id: string | null }[] }).dead_letters;
      },
      (d) => d.length === 2,
    );
    expect(denied.every((d) => typeof d.decision_id === 'string')).toBe(true);
    expect((await customers('eu')).find((r) => r.id === ids.ada)?.status).toBe('v2');
    // v4: back to the shipped policy (a new version); the replay decides again and delivers.
    await gate.editMatrix(() => original.replace("version: '2026.12.7'", "version: '2026.12.4'"));
    await eventually(
      'policy v4 seen',
      async () => router.app.cdc.decisions.policyVersion,
      (v) => v === '2026.12.4',
      15_000,
    );
    const res = await fetch(`${router.url}/v1/dlq:replay`, {
      method: 'POST',
      headers: { authorization: adminHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { reason: 'CDC_DENIED', table: 'public.customer' } }),
    });
    expect(await res.json()).toMatchObject({ replayed: 2, dead_lettered: 0 });
    expect((await customers('eu')).find((r) => r.id === ids.ada)?.status).toBe('denied-change');
    expect((await customers('us')).find((r) => r.id === ids.ada)).toMatchObject({
      status: 'denied-change',
      email: hmac('ada@example.com'),
    });
  });
});
