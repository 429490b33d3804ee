import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { PostgresSink } from '../src/sinks/postgres-sink.ts';
import type { SinkOp } from '../src/sinks/sink-op.ts';
import { eventually, startRouter } from './support/router.ts';
import { ITEM_CONTRACT, ITEM_DDL, startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

const log = createLogger({ service: 'cdc-router-test', level: 'silent' });
const HOUR = 3_600_000;

let position = 1_000n;
function upsert(id: number, v: string, sourceTsMs: number | null): SinkOp {
  return {
    kind: 'upsert',
    op: 'c',
    routeId: 'r',
    table: 'public.item',
    position: position++,
    decisionId: 'd',
    sourceTsMs,
    ref: 0,
    columnTypes: { id: 'bigint', v: 'text' },
    retention: null,
    key: { id },
    row: { id, v },
    before: null,
  };
}

/** The sink's TTL against a real Postgres: what expires, what stays, what is never written. */
describe('Postgres sink TTL', () => {
  let ctx: TestContext;
  let plain: PostgresSink;
  let ttl: PostgresSink;
  const ids = async (table = 'public.item') =>
    (await ctx.sql<{ id: number }>(`select id::int as id from ${table} order by id`)).rows.map((r) => r.id);

  beforeAll(async () => {
    ctx = await useTestContext('cdc-sink-ttl');
    plain = new PostgresSink('plain', ctx.databaseUrl, log);
    ttl = new PostgresSink('eu', ctx.databaseUrl, log, { ttl: 'PT1H' });
  });
  afterAll(async () => {
    await plain?.close();
    await ttl?.close();
    await ctx?.[Symbol.asyncDispose]();
  });

  it('deletes rows whose source commit is older than the TTL, keeps the rest and rows rewritten since', async () => {
    const now = Date.now();
    // Written by a sink without a TTL: nothing refuses them, nothing expires them.
    expect(
      await plain.write([
        upsert(1, 'old', now - 2 * HOUR),
        upsert(2, 'old', now - 2 * HOUR),
        upsert(3, 'old', now - 2 * HOUR),
        upsert(4, 'fresh', now - 60_000),
      ]),
    ).toEqual([]);
    expect(await plain.expire()).toEqual([]);
    expect(await ids()).toEqual([1, 2, 3, 4]);
    // Key 3 changes again at the source: its row counts from the new commit.
    await plain.write([upsert(3, 'rewritten', now)]);

    expect(await ttl.expire()).toEqual([{ table: 'public.item', rows: 2 }]);
    expect(await ids()).toEqual([3, 4]);
    expect(await ttl.expire()).toEqual([]);
  });

  it('does not write a change that is already older than the TTL (a late redelivery cannot bring it back)', async () => {
    const now = Date.now();
    await ttl.write([upsert(10, 'expired already', now - 2 * HOUR), upsert(11, 'no source time', null)]);
    await ttl.write([upsert(12, 'in time', now - HOUR / 2)]);
    expect((await ids()).filter((id) => id >= 10)).toEqual([11, 12]);
  });

  it('expires old tombstones, and tables made before the source-time column by their write time', async () => {
    await ctx.sql(`
      create table public.legacy (id bigint primary key, v text, _spine_lsn bigint not null,
        _spine_decision_id text not null, _spine_updated_at timestamptz not null default now());
      insert into public.legacy values (1, 'old', 1, 'd', now() - interval '2 hours'), (2, 'new', 2, 'd', now())`);
    await ttl.write([{ ...upsert(20, 'x', Date.now()), kind: 'delete', before: { id: 20 } } as SinkOp]);
    await ctx.sql(
      `update spine.tombstones set deleted_at = now() - interval '2 hours' where tbl = 'public.item'`,
    );
    const expired = await ttl.expire();
    expect(expired).toEqual([
      { table: 'public.legacy', rows: 1 },
      { table: 'spine.tombstones', rows: 1 },
    ]);
    expect(await ids('public.legacy')).toEqual([2]);
  });

  it("keeps a decision's retention cap with the rows: that table only, only ever shorter, with or without a TTL", async () => {
    const now = Date.now();
    const card = (id: number, ts: number, ttl: string): SinkOp => ({
      ...upsert(id, 'masked', ts),
      table: 'public.card',
      retention: { ttl, rule: 'pci-same-region' },
    });
    // The sink has no TTL; the cap alone refuses a change already older than it.
    await plain.write([
      card(1, now - HOUR, 'PT30M'),
      card(2, now - 10 * 60_000, 'PT30M'),
      card(3, now, 'PT30M'),
    ]);
    expect(await ids('public.card')).toEqual([2, 3]);
    const caps = async () =>
      (
        await ctx.sql<{ tbl: string; ttl: string; rule: string }>(
          'select tbl, ttl::text as ttl, rule from spine.retention_caps order by tbl',
        )
      ).rows;
    expect(await caps()).toEqual([{ tbl: 'public.card', ttl: '00:30:00', rule: 'pci-same-region' }]);
    // A later decision with a longer cap does not lengthen what rows were written under (another process).
    const other = new PostgresSink('plain-2', ctx.databaseUrl, log);
    try {
      await other.write([card(4, now, 'P1D')]);
    } finally {
      await other.close();
    }
    expect(await caps()).toEqual([{ tbl: 'public.card', ttl: '00:30:00', rule: 'pci-same-region' }]);

    await ctx.sql(`update public.card set _spine_source_ts = now() - interval '1 hour' where id in (2, 4)`);
    const before = await ids();
    expect(await plain.expire()).toEqual([{ table: 'public.card', rows: 2 }]);
    expect(await ids('public.card')).toEqual([3]);
    // Tables without a cap keep the sink's rule (here: no TTL, nothing expires).
    expect(await ids()).toEqual(before);
  });
});

/** The router enforces the routes file's `ttl` on its own, on a schedule, and counts what it deleted. */
describe('the routes file ttl, enforced by the running router', () => {
  let bed: TestBed;
  let router: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    bed = await startTestBed('cdc-ttl-router', {
      ddl: ITEM_DDL,
      contracts: { 'public.item': ITEM_CONTRACT },
    });
    router = await startRouter({
      mode: 'embedded',
      routesYaml: bed.routesYaml({ tables: ['public.item'], sinkExtra: 'ttl: PT4S' }),
      databaseUrl: bed.dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
      sourceUrls: { shop: bed.ctx.databaseUrl },
      registryUrl: bed.registry.url,
      gateUrl: bed.gate.url,
      extraEnv: { SPINE_ROUTER_TTL_SWEEP_MS: '500' },
    });
  });
  afterAll(async () => {
    await router?.app.close();
    await bed?.[Symbol.asyncDispose]();
  });

  it('rows that outlive the TTL leave the sink (not the source); a row changed meanwhile stays', async () => {
    const sinkIds = () =>
      bed.dbs
        .query<{ id: number }>('eu', 'select id::int as id from public.item order by id')
        .then((r) => r.map((x) => x.id));
    await bed.ctx.sql(`insert into public.item select g, 'v' || g from generate_series(1, 10) g`);
    await eventually('the rows in the sink', sinkIds, (r) => r.length === 10, 30_000);
    // Key 1 keeps changing, so its row is always younger than the TTL.
    const keepAlive = setInterval(
      () => void bed.ctx.sql(`update public.item set v = now()::text where id = 1`),
      1_000,
    );
    try {
      expect(await eventually('the old rows to expire', sinkIds, (r) => r.length === 1, 30_000)).toEqual([1]);
    } finally {
      clearInterval(keepAlive);
    }
    expect((await bed.ctx.sql('select 1 from public.item')).rowCount).toBe(10);
    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    expect(metrics).toMatch(
      /spine_cdc_sink_expired_rows_total\{sink="analytics-eu",table="public\.item"[^}]*\} 9\b/,
    );
    expect(metrics).toMatch(
      /spine_cdc_sink_expiry_last_success_timestamp_seconds\{sink="analytics-eu"[^}]*\} \d/,
    );
  });
});
