import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { TOAST_PLACEHOLDER } from '@data-spine/contracts';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import type { SinkOp } from '../src/sinks/sink-op.ts';
import { extraDatabases } from './support/databases.ts';
import { startGate } from './support/real-gate.ts';
import { registerContract, startRegistry } from './support/registry.ts';
import { eventually, startRouter } from './support/router.ts';

const HASH_KEY = 'test-hash-key-0123456789';
const hmac = (v: string) => createHmac('sha256', HASH_KEY).update(v).digest('hex');

/** A table whose text[] and bytea columns live out of line (TOAST, uncompressed), REPLICA IDENTITY DEFAULT. */
const DDL = `create table public.doc (id int primary key, title text, tags text[], blob bytea);
  alter table public.doc alter column tags set storage external, alter column blob set storage external`;
const DOC_CONTRACT = {
  type: 'object',
  'data-spine:classification': 'internal',
  properties: {
    id: { type: 'integer', description: 'Key.' },
    title: { type: ['null', 'string'], description: 'Title.' },
    tags: { type: ['null', 'array'], items: { type: 'string' }, description: 'Labels.' },
    blob: {
      type: ['null', 'string'],
      contentEncoding: 'base64',
      description: 'A scanned signature.',
      'confluent:tags': ['PII'],
    },
  },
};

/**
 * Embedded path, Postgres -> pgoutput -> router -> two Postgres sinks: an update that leaves TOASTed
 * text[] and bytea columns alone carries Debezium's placeholders for them (a one-element array, the
 * placeholder's bytes). Neither sink may write them, and the US sink, which gets `blob` as a keyed hash,
 * may not hash one: both keep the values they have.
 */
describe('TOAST placeholders of arrays and bytea never reach a sink (embedded)', () => {
  let ctx: TestContext;
  let dbs: Awaited<ReturnType<typeof extraDatabases>>;
  let registry: { url: string; app: FastifyInstance };
  let gate: Awaited<ReturnType<typeof startGate>>;
  let router: { app: FastifyInstance; url: string };
  const written: SinkOp[] = [];

  beforeAll(async () => {
    ctx = await useTestContext('cdc-toast');
    dbs = await extraDatabases(ctx, ['eu', 'us', 'router', 'registry', 'gate']);
    await ctx.sql(DDL);
    registry = await startRegistry(dbs.urls.registry as string);
    gate = await startGate(dbs.urls.gate as string, registry.url);
    await registerContract(registry.url, `${ctx.topicPrefix}.public.doc`, DOC_CONTRACT);
    router = await startRouter({
      mode: 'embedded',
      routesYaml: `version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: ${ctx.database}, topicPrefix: ${ctx.topicPrefix}, tables: [public.doc], slot: ${ctx.topicPrefix}_toast }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu }
  - { id: analytics-us, type: postgres, region: us-east-1, database: analytics_us }
routes:
  - { source: shop, tables: [public.doc], sink: analytics-eu, purpose: analytics }
  - { source: shop, tables: [public.doc], sink: analytics-us, purpose: analytics }
`,
      databaseUrl: dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': dbs.urls.eu as string, 'analytics-us': dbs.urls.us as string },
      sourceUrls: { shop: ctx.databaseUrl },
      registryUrl: registry.url,
      gateUrl: gate.url,
      deps: { onDelivered: (_plan, writes) => writes.forEach((ops) => written.push(...ops)) },
    });
  });

  afterAll(async () => {
    await router?.app.close();
    await gate?.close();
    await registry?.app.close();
    await ctx?.[Symbol.asyncDispose]();
    await dbs?.drop();
  });

  const docs = (db: 'eu' | 'us') =>
    dbs.query<{ id: number; title: string; tags: unknown; blob: string }>(
      db,
      'select id::int as id, title, tags, blob from public.doc order by id',
    );

  it("an update that leaves them alone keeps the sinks' values (written whole in the EU, hashed in the US)", async () => {
    // Random, so incompressible; each far above the 2 kB TOAST threshold.
    const tags = Array.from({ length: 300 }, (_, i) => `tag-${i}-${Math.random().toString(36).slice(2)}`);
    const blob = Buffer.from(Array.from({ length: 6_000 }, () => Math.floor(Math.random() * 256)));
    await ctx.sql(`insert into public.doc values (1, 'draft', $1, $2)`, [tags, blob]);
    const inserted = { id: 1, title: 'draft', tags, blob: blob.toString('base64') };
    await eventually(
      'the insert in the EU',
      () => docs('eu'),
      (r) => r.length === 1,
    );
    await eventually(
      'the insert in the US',
      () => docs('us'),
      (r) => r.length === 1,
    );
    expect(await docs('eu')).toEqual([inserted]);
    expect(await docs('us')).toEqual([{ ...inserted, blob: hmac(inserted.blob) }]);

    // The source really stored both out of line (two values in its TOAST table), so an update of the
    // title alone does not carry them.
    const toast = await ctx.sql<{ t: string }>(
      `select reltoastrelid::regclass::text as t from pg_class where oid = 'public.doc'::regclass`,
    );
    const chunked = await ctx.sql<{ n: number }>(
      `select count(distinct chunk_id)::int as n from ${toast.rows[0]?.t ?? 'missing'}`,
    );
    expect(chunked.rows[0]?.n).toBe(2);
    await ctx.sql(`update public.doc set title = 'final' where id = 1`);
    await eventually(
      'the update in the EU',
      () => docs('eu'),
      (r) => r[0]?.title === 'final',
    );
    await eventually(
      'the update in the US',
      () => docs('us'),
      (r) => r[0]?.title === 'final',
    );

    // The update reached both sinks without the two columns (it carried placeholders for them)...
    const updates = written.filter((o) => o.kind === 'upsert' && o.op === 'u');
    expect(updates.map((o) => o.routeId).sort()).toEqual(['shop-to-analytics-eu', 'shop-to-analytics-us']);
    for (const o of updates)
      expect(o.kind === 'upsert' && Object.keys(o.row).sort()).toEqual(['id', 'title']);
    // ...and the sinks kept what they had: no placeholder written, none hashed.
    expect(await docs('eu')).toEqual([{ ...inserted, title: 'final' }]);
    expect(await docs('us')).toEqual([{ ...inserted, title: 'final', blob: hmac(inserted.blob) }]);
    const placeholderBytes = Buffer.from(TOAST_PLACEHOLDER).toString('base64');
    for (const db of ['eu', 'us'] as const) {
      const text = JSON.stringify(await docs(db));
      expect(text).not.toContain(TOAST_PLACEHOLDER);
      expect(text).not.toContain(placeholderBytes);
      expect(text).not.toContain(hmac(placeholderBytes));
      expect(text).not.toContain(hmac(JSON.stringify([TOAST_PLACEHOLDER])));
    }
  });
});
