import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, hashSecret, MemoryCredentialStore, runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp as buildRegistry, DEFAULT_FORMATS, loadRegistryConfig } from '@data-spine/schema-registry';
import { runEvent, startCollector } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

interface PolicyTag {
  key: string;
  field: string | null;
  source: string | null;
  inherited: boolean;
}

const ADMIN = { key: 'admin', secret: 'admin-secret' };
const READER = { key: 'lineage-reader', secret: 'reader-secret' };
const basic = (k: { key: string; secret: string }) =>
  'Basic ' + Buffer.from(`${k.key}:${k.secret}`).toString('base64');
const OLTP = 'postgres://oltp:5432';
const KAFKA = 'kafka://broker:9092';
const SINK = 'postgres://analytics:5432';
const dsPath = (ns: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/${encodeURIComponent(name)}`;

/** Customer, as the demo's contract: email tagged through metadata.tags, the address inline and nested. */
const CUSTOMER_AVRO = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
    {
      name: 'address',
      'confluent:tags': ['PII'],
      type: {
        type: 'record',
        name: 'Address',
        fields: [
          { name: 'street', type: 'string', 'confluent:tags': ['PII'] },
          { name: 'city', type: 'string' },
        ],
      },
    },
  ],
});
const CARD_PROTO = `syntax = "proto3";
package payments.v1;
import "confluent/meta.proto";

message Card {
  string id = 1;
  string card_number = 2 [(confluent.field_meta).tags = "PCI"];
  Holder holder = 3;
}
message Holder {
  string name = 1 [(confluent.field_meta) = { tags: ["PII"] }];
}
`;

const tagsOf = (tags: PolicyTag[]) =>
  tags
    .filter((t) => !t.inherited && t.source === 'SCHEMA_REGISTRY')
    .map((t) => `${t.key}:${t.field}`)
    .sort();

/** The dataset's direct registry tags, once the lookup (off the ingest path) has landed. */
async function registryTags(c: Collector, ns: string, name: string, expected: number): Promise<string[]> {
  let tags: string[] = [];
  for (let i = 0; i < 200 && tags.length < expected; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 25));
    tags = tagsOf((await c.get<{ policyTags: PolicyTag[] }>(dsPath(ns, name))).body.policyTags);
  }
  return tags;
}

/**
 * The real schema registry (buildApp, listening on a free port, its own database) with reads behind
 * credentials, holding an Avro contract with `metadata.tags` and nested fields, and a Protobuf one.
 */
describe('field tags from the schema registry: contracts, credentials, Postgres tables', () => {
  let registryCtx: TestContext;
  let registry: RunningServer;
  let c: Collector;

  beforeAll(async () => {
    registryCtx = await useTestContext('lineage-reg-contracts');
    const app = await buildRegistry(
      loadRegistryConfig({
        SPINE_DATABASE_URL: registryCtx.databaseUrl,
        SPINE_LOG_LEVEL: 'silent',
        SPINE_READS_REQUIRE_AUTH: 'true',
      }),
      {
        formats: DEFAULT_FORMATS,
        logger: createLogger({ service: 'registry', level: 'silent' }),
        credentials: new MemoryCredentialStore([
          { key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] },
          { key: READER.key, secretHash: hashSecret(READER.secret), roles: ['reader'], scopes: ['*'] },
        ]),
      },
    );
    registry = await runServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 5_000,
      exit: false,
      signals: [],
    });
    const register = async (subject: string, body: Record<string, unknown>) => {
      const r = await fetch(`${registry.url}/subjects/${subject}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', authorization: basic(ADMIN) },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.clone().text()).toBe(200);
    };
    const customer = {
      schema: CUSTOMER_AVRO,
      metadata: { tags: { '**.email': ['PII'], 'Customer.address.city': ['PII'] } },
    };
    await register('shop.public.customer-value', customer);
    // The same contract under a database no topic prefix is configured for: never asked for.
    await register('crm.public.customer-value', customer);
    await register('payments.card-value', { schemaType: 'PROTOBUF', schema: CARD_PROTO });
    c = await startCollector('lineage-reg-contracts', {
      SPINE_REGISTRY_URL: registry.url,
      SPINE_REGISTRY_KEY: `${READER.key}:${READER.secret}`,
      SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES: 'shop=shop',
    });
    const r = await c.post(
      '/api/v1/lineage',
      runEvent({
        job: { namespace: 'cdc-router', name: 'sink.analytics' },
        time: '2026-04-01T00:00:00.000Z',
        inputs: [
          { namespace: OLTP, name: 'shop.public.customer' },
          { namespace: OLTP, name: 'crm.public.customer' },
          { namespace: KAFKA, name: 'payments.card' },
        ],
        outputs: [{ namespace: SINK, name: 'analytics.public.customer' }],
      }),
    );
    expect(r.statusCode, r.body).toBe(200);
  });
  afterAll(async () => {
    await c?.close();
    await registry?.shutdown('test done');
    await registryCtx?.[Symbol.asyncDispose]();
  });

  it('the registry refuses reads without credentials (so the tags below came with the key)', async () => {
    const r = await fetch(`${registry.url}/contracts/shop.public.customer-value/versions/latest`);
    expect(r.status).toBe(401);
  });

  it("tags a Postgres table from its topic's contract: metadata.tags and nested fields included", async () => {
    expect(await registryTags(c, OLTP, 'shop.public.customer', 4)).toEqual([
      'pii:address',
      'pii:address.city',
      'pii:address.street',
      'pii:email',
    ]);
    // A field tag flows to the sink (no column lineage here, so onto the whole dataset).
    const sink = await c.get<{ policyTags: PolicyTag[] }>(dsPath(SINK, 'analytics.public.customer'));
    expect(sink.body.policyTags.some((t) => t.inherited && t.key === 'pii')).toBe(true);
  });

  it("tags a Kafka topic's Protobuf fields, following message-typed fields", async () => {
    expect(await registryTags(c, KAFKA, 'payments.card', 2)).toEqual(['pci:card_number', 'pii:holder.name']);
  });

  it('does not look up a Postgres table whose database has no topic prefix', async () => {
    await registryTags(c, OLTP, 'shop.public.customer', 4);
    await registryTags(c, KAFKA, 'payments.card', 2);
    // Lookups run one at a time in the order the datasets came (shop, crm, payments), and crm's subject
    // exists: had it been looked up, it would be stored by now.
    expect(await registryTags(c, OLTP, 'crm.public.customer', 0)).toEqual([]);
    const stored = await c.app.lineage.store.read<{ subject: string }>(
      `select subject from lin_registry_field_tags`,
      [],
    );
    expect(stored.rows.map((r) => r.subject).sort()).toEqual([
      'payments.card-value',
      'shop.public.customer-value',
    ]);
  });

  describe('a registry without the contracts endpoint (Confluent)', () => {
    let proxy: Server;
    let proxyUrl: string;
    let fallback: Collector;

    beforeAll(async () => {
      // Stands in for a Confluent registry: the real one behind it, with /contracts answered as Confluent
      // answers an unknown path. Everything else is forwarded as it came (credentials included).
      proxy = createServer((req, res) => {
        void (async () => {
          if (req.url?.startsWith('/contracts/')) {
            res.writeHead(404, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error_code: 404, message: 'HTTP 404 Not Found' }));
            return;
          }
          const headers: Record<string, string> = {};
          for (const h of ['accept', 'authorization']) {
            const v = req.headers[h];
            if (typeof v === 'string') headers[h] = v;
          }
          const upstream = await fetch(`${registry.url}${req.url ?? '/'}`, { headers });
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
          res.end(await upstream.text());
        })();
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const address = proxy.address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      proxyUrl = `http://127.0.0.1:${address.port}`;
      fallback = await startCollector('lineage-reg-fallback', {
        SPINE_REGISTRY_URL: proxyUrl,
        SPINE_REGISTRY_KEY: `${READER.key}:${READER.secret}`,
      });
      const r = await fallback.post(
        '/api/v1/lineage',
        runEvent({
          job: { namespace: 'cdc-router', name: 'sink.analytics' },
          time: '2026-04-01T00:00:00.000Z',
          inputs: [{ namespace: KAFKA, name: 'shop.public.customer' }],
          outputs: [{ namespace: SINK, name: 'analytics.public.customer' }],
        }),
      );
      expect(r.statusCode, r.body).toBe(200);
    });
    afterAll(async () => {
      await fallback?.close();
      await new Promise((resolve) => proxy?.close(resolve));
    });

    it('falls back to the inline tags of the latest version (top-level fields only)', async () => {
      expect(await registryTags(fallback, KAFKA, 'shop.public.customer', 1)).toEqual(['pii:address']);
      const stored = await fallback.app.lineage.store.read<{ subject: string; version: number }>(
        `select subject, version from lin_registry_field_tags`,
        [],
      );
      expect(stored.rows).toEqual([{ subject: 'shop.public.customer-value', version: 1 }]);
    });
  });
});
