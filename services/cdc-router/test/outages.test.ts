import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { TestContext } from '@data-spine/testkit';
import { startGate } from './support/real-gate.ts';
import { adminHeader, startRegistry } from './support/registry.ts';
import { eventually, heldGauge, startRouter } from './support/router.ts';
import { ITEM_CONTRACT, ITEM_DDL, startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

/**
 * Embedded path under outages: the sink refusing connections, then the gate gone, then the registry gone.
 * Data waits (the slot is not acknowledged), readiness names the dependency, nothing is dead-lettered or
 * skipped, and everything arrives once the dependency is back. (The dead letters unwritable:
 * dead-letter-failure.test.ts.)
 */
const CONTRACT_TTL_MS = 10_000;

const SINK_OUTAGE_MS = Number(process.env.SPINE_CDC_SINK_OUTAGE_MS ?? 60_000);

describe('outages hold the data, then it flows', () => {
  let bed: TestBed;
  let ctx: TestContext;
  let dbs: TestBed['dbs'];
  let router: { app: FastifyInstance; url: string };
  let sinkDb: string;

  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: ctx.stack.postgres.url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const sinkRows = () =>
    dbs.query<{ id: number; v: string }>('eu', 'select id::int as id, v from public.item order by id');
  const deadLetters = async () => {
    const res = await fetch(`${router.url}/v1/dlq`, { headers: { authorization: adminHeader } });
    return ((await res.json()) as { depth: number }).depth;
  };

  beforeAll(async () => {
    bed = await startTestBed('cdc-outage', { ddl: ITEM_DDL, contracts: { 'public.item': ITEM_CONTRACT } });
    ({ ctx, dbs } = bed);
    sinkDb = new URL(dbs.urls.eu as string).pathname.slice(1);
    router = await startRouter({
      mode: 'embedded',
      routesYaml: bed.routesYaml({ tables: ['public.item'] }),
      databaseUrl: dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': dbs.urls.eu as string },
      sourceUrls: { shop: ctx.databaseUrl },
      registryUrl: bed.registry.url,
      gateUrl: bed.gate.url,
      extraEnv: { SPINE_ROUTER_CONTRACT_TTL_MS: String(CONTRACT_TTL_MS) },
    });
    await ctx.sql(`insert into public.item values (1, 'one')`);
    await eventually('first row', sinkRows, (r) => r.length === 1);
  });

  afterAll(async () => {
    await admin(`alter database "${sinkDb}" allow_connections true`).catch(() => {});
    await router?.app.close();
    await bed?.[Symbol.asyncDispose]();
  });

  it(
    'a sink down for a minute: data waits, readiness says which, then every change arrives once',
    { timeout: 240_000 },
    async () => {
      await admin(`alter database "${sinkDb}" allow_connections false`);
      await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${sinkDb}'`);
      const downAt = Date.now();
      await ctx.sql(`insert into public.item select g, 'v' || g from generate_series(2, 200) g`);
      await ctx.sql(`update public.item set v = 'updated' where id = 1`);
      await ctx.sql(`delete from public.item where id = 2`);
      const ready = await eventually(
        'readiness to fail',
        async () => {
          const res = await fetch(`${router.url}/readyz`);
          return { status: res.status, body: (await res.json()) as { failed?: string[] } };
        },
        (r) => r.status === 503,
        20_000,
      );
      expect(ready.body.failed).toContain('sink:analytics-eu');
      await eventually(
        'the held gauge',
        async () =>
          (await (await fetch(`${router.url}/metrics`)).text())
            .split('\n')
            .filter((l) => l.startsWith('spine_cdc_held')),
        (lines) => lines.some((l) => l.includes('reason="sink"') && l.endsWith(' 1')),
        20_000,
      );
      expect((await sinkRows().catch(() => null)) ?? []).toHaveLength(0);
      // Changes keep coming while the sink stays down (the minute; SPINE_CDC_SINK_OUTAGE_MS to vary).
      const outageEnds = downAt + SINK_OUTAGE_MS;
      for (let round = 0; Date.now() < outageEnds; round++) {
        await ctx.sql(`update public.item set v = 'during ${round}' where id between 3 and 200`);
        await new Promise((r) => setTimeout(r, Math.min(5_000, Math.max(0, outageEnds - Date.now()))));
      }
      await ctx.sql(`update public.item set v = 'updated' where id = 1`);
      expect((await sinkRows().catch(() => null)) ?? []).toHaveLength(0);
      expect((await fetch(`${router.url}/readyz`)).status).toBe(503);
      const want = (
        await ctx.sql<{ id: number; v: string }>('select id::int as id, v from public.item order by id')
      ).rows;
      await admin(`alter database "${sinkDb}" allow_connections true`);
      const rows = await eventually(
        'the sink to catch up',
        sinkRows,
        (r) => JSON.stringify(r) === JSON.stringify(want),
        90_000,
      );
      expect(rows).toHaveLength(199);
      expect(rows[0]).toEqual({ id: 1, v: 'updated' });
      expect(rows.some((r) => r.id === 2)).toBe(false);
      expect(await deadLetters()).toBe(0);
      expect((await fetch(`${router.url}/readyz`)).status).toBe(200);
    },
  );

  it('the gate gone: no decision, no data (not even on cached decisions), readiness fails; back: it flows', async () => {
    const port = new URL(bed.gate.url).port;
    await bed.gate.app.close();
    await eventually(
      'the router to notice',
      async () => router.app.cdc.decisions.policyVersion,
      (v) => v === null,
      15_000,
    );
    await ctx.sql(`insert into public.item values (1000, 'while the gate was down')`);
    const res = await fetch(`${router.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { failed: string[] }).failed).toContain('residency-gate');
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await sinkRows()).some((r) => r.id === 1000)).toBe(false);
    expect(await deadLetters()).toBe(0);
    // The same gate (its database and matrix) back on the same address.
    bed.gate = await startGate(dbs.urls.gate as string, bed.registry.url, Number(port));
    await eventually('the held change', sinkRows, (r) => r.some((x) => x.id === 1000), 60_000);
    expect(await deadLetters()).toBe(0);
  });

  it('the registry gone: readiness names it, a cached contract governs only until its TTL, then data waits; back: it flows', async () => {
    const port = new URL(bed.registry.url).port;
    // A fresh lookup, so the cached contract's TTL counts from this change.
    router.app.cdc.registry.invalidate();
    await ctx.sql(`insert into public.item values (3000, 'before the outage')`);
    await eventually('the change before the outage', sinkRows, (r) => r.some((x) => x.id === 3000));
    await bed.registry.app.close();
    const stoppedAt = Date.now();
    const res = await fetch(`${router.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { failed: string[] }).failed).toContain('schema-registry');

    // Within the TTL the contract already read still governs (the gate decides as usual): it flows.
    await ctx.sql(`insert into public.item values (3001, 'within the TTL')`);
    await eventually('the change within the TTL', sinkRows, (r) => r.some((x) => x.id === 3001), 5_000);
    expect(Date.now() - stoppedAt).toBeLessThan(CONTRACT_TTL_MS);

    // Past it: no contract, no data. Held, not dead-lettered, not skipped.
    await new Promise((r) => setTimeout(r, stoppedAt + CONTRACT_TTL_MS + 500 - Date.now()));
    await ctx.sql(`insert into public.item values (3002, 'after the TTL')`);
    await eventually(
      'the held gauge',
      () => heldGauge(router.url, 'governance'),
      (v) => v === 1,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await sinkRows()).some((r) => r.id === 3002)).toBe(false);
    expect(await deadLetters()).toBe(0);
    expect((await fetch(`${router.url}/readyz`)).status).toBe(503);

    // The same registry (its database: the contract is still there) back on the same address.
    bed.registry = await startRegistry(dbs.urls.registry as string, Number(port));
    await eventually('the held change', sinkRows, (r) => r.some((x) => x.id === 3002), 60_000);
    expect(await deadLetters()).toBe(0);
    expect(await heldGauge(router.url, 'governance')).toBe(0);
    expect((await fetch(`${router.url}/readyz`)).status).toBe(200);
  });
});
