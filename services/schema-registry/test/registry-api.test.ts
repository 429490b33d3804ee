import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createLogger, hashSecret, MemoryCredentialStore, runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp, DEFAULT_FORMATS, loadRegistryConfig } from '../src/index.ts';

const ADMIN = { key: 'admin', secret: 'admin-secret' };
const PRODUCER = { key: 'shop-ci', secret: 'shop-secret' };
const basic = (k: { key: string; secret: string }) =>
  'Basic ' + Buffer.from(`${k.key}:${k.secret}`).toString('base64');
const CT = 'application/vnd.schemaregistry.v1+json';

const customerV1 = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
  ],
});
const customerV2 = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
    { name: 'status', type: 'string', default: 'trial' },
  ],
});
// A new required field without a default: not BACKWARD compatible.
const customerBreaking = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'tier', type: 'int' },
  ],
});

describe('schema registry: Confluent REST API', () => {
  let ctx: TestContext;
  let app: FastifyInstance;

  const build = async () =>
    buildApp(loadRegistryConfig({ SPINE_DATABASE_URL: ctx.databaseUrl, SPINE_LOG_LEVEL: 'silent' }), {
      formats: DEFAULT_FORMATS,
      logger: createLogger({ service: 'registry-test', level: 'silent' }),
      credentials: new MemoryCredentialStore([
        { key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] },
        {
          key: PRODUCER.key,
          secretHash: hashSecret(PRODUCER.secret),
          roles: ['producer'],
          scopes: ['shop.'],
        },
      ]),
    });

  beforeAll(async () => {
    ctx = await useTestContext('registry-api');
    app = await build();
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.[Symbol.asyncDispose]();
  });

  const post = (url: string, body: unknown, auth = basic(ADMIN)) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': CT, authorization: auth },
      payload: JSON.stringify(body),
    });
  const put = (url: string, body: unknown, auth = basic(ADMIN)) =>
    app.inject({
      method: 'PUT',
      url,
      headers: { 'content-type': CT, authorization: auth },
      payload: JSON.stringify(body),
    });
  const get = (url: string) => app.inject({ method: 'GET', url });

  it('registers, dedupes by schema across subjects, and serves by id', async () => {
    const first = await post('/subjects/shop.customer-value/versions', { schema: customerV1 });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toContain('application/vnd.schemaregistry.v1+json');
    const { id } = first.json<{ id: number }>();
    expect((await post('/subjects/shop.customer-value/versions', { schema: customerV1 })).json()).toEqual({
      id,
    });
    expect((await post('/subjects/shop.other-value/versions', { schema: customerV1 })).json()).toEqual({
      id,
    });
    const byId = await get(`/schemas/ids/${id}`);
    expect(byId.json()).toEqual({ schema: customerV1 });
    expect((await get(`/schemas/ids/${id}/subjects`)).json()).toEqual([
      'shop.customer-value',
      'shop.other-value',
    ]);
    expect((await get(`/subjects/shop.customer-value/versions`)).json()).toEqual([1]);
    expect((await get(`/subjects/shop.customer-value/versions/latest`)).json()).toEqual({
      subject: 'shop.customer-value',
      version: 1,
      id,
      metadata: { properties: { 'data-spine.semver': '1.0.0' } },
      schema: customerV1,
    });
    const lookup = await post('/subjects/shop.customer-value', { schema: customerV1 });
    expect(lookup.json()).toMatchObject({ subject: 'shop.customer-value', version: 1, id });
    expect(byId.headers['server-timing']).toContain('total;dur=');
  });

  it('gives spellings Avro parses alike one id, as Confluent compares canonicalString()', async () => {
    const a = await post('/subjects/shop.spelling-value/versions', { schema: '"string"' });
    const b = await post('/subjects/shop.spelling-other-value/versions', { schema: '{"type": "string"}' });
    expect(a.statusCode, a.body).toBe(200);
    expect(b.json<{ id: number }>().id).toBe(a.json<{ id: number }>().id);
  });

  it('refuses an incompatible schema with 409 (error_code 40901), says why, and accepts a compatible one', async () => {
    const bad = await post('/subjects/shop.customer-value/versions', { schema: customerBreaking });
    expect(bad.statusCode).toBe(409);
    expect(bad.json().error_code).toBe(40901);
    expect(bad.json().message).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    const verbose = await post('/compatibility/subjects/shop.customer-value/versions/latest?verbose=true', {
      schema: customerBreaking,
    });
    expect(verbose.json().is_compatible).toBe(false);
    expect(verbose.json().messages.join()).toContain('tier');
    const ok = await post('/subjects/shop.customer-value/versions', { schema: customerV2 });
    expect(ok.statusCode).toBe(200);
    expect((await get('/subjects/shop.customer-value/versions')).json()).toEqual([1, 2]);
    expect(
      (await get('/subjects/shop.customer-value/versions/2')).json().metadata.properties['data-spine.semver'],
    ).toBe('1.1.0');
  });

  it('accepts a breaking change only with a major version bump, and says which bump it needs', async () => {
    const subject = '/subjects/shop.contract-value/versions';
    expect(
      (
        await post(subject, {
          schema: customerV1,
          metadata: { properties: { 'data-spine.semver': '1.0.0', 'data-spine.retention': 'P2Y' } },
        })
      ).statusCode,
    ).toBe(200);
    const refused = await post(subject, {
      schema: customerBreaking,
      metadata: { properties: { 'data-spine.semver': '1.1.0' } },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('needs a major version: data-spine.semver=2.0.0');
    const notGreater = await post(subject, {
      schema: customerV2,
      metadata: { properties: { 'data-spine.semver': '0.9.0' } },
    });
    expect(notGreater.json()).toMatchObject({ error_code: 42290 });
    const major = await post(subject, {
      schema: customerBreaking,
      metadata: { properties: { 'data-spine.semver': '2.0.0' } },
    });
    expect(major.statusCode).toBe(200);
    const latest = (await get('/subjects/shop.contract-value/versions/latest')).json();
    expect(latest.metadata.properties['data-spine.semver']).toBe('2.0.0');
  });

  it('answers Confluent error codes for what clients get wrong', async () => {
    expect((await get('/subjects/nope/versions')).json()).toMatchObject({ error_code: 40401 });
    expect((await get('/subjects/shop.customer-value/versions/99')).json()).toMatchObject({
      error_code: 40402,
    });
    expect((await get('/subjects/shop.customer-value/versions/abc')).json()).toMatchObject({
      error_code: 42202,
    });
    expect((await get('/schemas/ids/999999')).json()).toMatchObject({ error_code: 40403 });
    expect((await get('/config/shop.customer-value')).json()).toMatchObject({ error_code: 40408 });
    const invalid = await post('/subjects/shop.x-value/versions', {
      schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}',
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error_code).toBe(42201);
    const malformed = await app.inject({
      method: 'POST',
      url: '/subjects/shop.x-value/versions',
      headers: { 'content-type': CT, authorization: basic(ADMIN) },
      payload: '{"schema": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error_code).toBe(400);
    const missing = await post('/subjects/shop.x-value/versions', { schemaType: 'AVRO' });
    expect(missing.json()).toMatchObject({ error_code: 42201 });
    expect((await put('/config', { compatibility: 'SIDEWAYS' })).json()).toMatchObject({
      error_code: 42203,
    });
  });

  it('blocks a schema whose personal-looking fields are not tagged, saying which and how to fix it', async () => {
    const untagged = JSON.stringify({
      type: 'record',
      name: 'Lead',
      fields: [{ name: 'work_email', type: 'string' }],
    });
    const res = await post('/subjects/shop.lead-value/versions', { schema: untagged });
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe(42291);
    expect(res.json().message).toContain('pii-untagged at Lead.work_email');
    expect(res.json().message).toContain('confluent:tags');
    expect((await get('/subjects/shop.lead-value/versions')).json()).toMatchObject({ error_code: 40401 });
  });

  it('validates without registering: lint findings, compatibility and the bump a change needs', async () => {
    const res = await post('/schemas/shop.customer-value/validate', { schema: customerBreaking });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.valid).toBe(false);
    expect(body.compatibility).toMatchObject({ level: 'BACKWARD', is_compatible: false });
    expect(body.semver).toEqual({
      latest: '1.1.0',
      requested: null,
      required_bump: 'major',
      next: '2.0.0',
      needed: '2.0.0',
    });
    expect(body.lint.findings.some((f: { rule: string }) => f.rule === 'retention-missing')).toBe(true);
    expect(res.headers['server-timing']).toMatch(/lint\+compatibility;dur=/);
    expect((await get('/subjects/shop.customer-value/versions')).json()).toEqual([1, 2]);
  });

  it('needs credentials to write, scoped to subject prefixes', async () => {
    const anonymous = await app.inject({
      method: 'POST',
      url: '/subjects/shop.a-value/versions',
      headers: { 'content-type': CT },
      payload: JSON.stringify({ schema: customerV1 }),
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error_code).toBe(40101);
    expect(
      (await post('/subjects/shop.a-value/versions', { schema: customerV1 }, basic(PRODUCER))).statusCode,
    ).toBe(200);
    const outside = await post('/subjects/billing.a-value/versions', { schema: customerV1 }, basic(PRODUCER));
    expect(outside.statusCode).toBe(403);
    expect((await put('/config', { compatibility: 'NONE' }, basic(PRODUCER))).statusCode).toBe(403);
  });

  it('deletes softly, then permanently, and never reuses an id', async () => {
    const { id } = (await post('/subjects/shop.tmp-value/versions', { schema: customerBreaking })).json<{
      id: number;
    }>();
    const del = (url: string) =>
      app.inject({ method: 'DELETE', url, headers: { authorization: basic(ADMIN) } });
    expect((await del('/subjects/shop.tmp-value?permanent=true')).json()).toMatchObject({
      error_code: 40405,
    });
    expect((await del('/subjects/shop.tmp-value')).json()).toEqual([1]);
    expect((await get('/subjects')).json()).not.toContain('shop.tmp-value');
    expect((await get('/subjects?deleted=true')).json()).toContain('shop.tmp-value');
    expect((await del('/subjects/shop.tmp-value?permanent=true')).json()).toEqual([1]);
    const next = await post('/subjects/shop.tmp2-value/versions', {
      schema: JSON.stringify({ type: 'enum', name: 'Tier', symbols: ['gold'] }),
    });
    expect(next.json<{ id: number }>().id).toBeGreaterThan(id);
  });

  it('gives fifty concurrent registrations of one schema one id', async () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'Concurrent',
      fields: [{ name: 'n', type: 'long' }],
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(`/subjects/shop.concurrent-${i % 5}-value/versions`, { schema }),
      ),
    );
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(new Set(results.map((r) => r.json<{ id: number }>().id)).size).toBe(1);
    for (let s = 0; s < 5; s++)
      expect((await get(`/subjects/shop.concurrent-${s}-value/versions`)).json()).toEqual([1]);
  });

  it('keeps everything across a restart', async () => {
    await app.close();
    app = await build();
    expect((await get('/subjects/shop.customer-value/versions')).json()).toEqual([1, 2]);
    expect((await get('/schemas/ids/1')).json()).toEqual({ schema: customerV1 });
  });

  describe('with the @kafkajs/confluent-schema-registry client', () => {
    let server: RunningServer;
    let client: SchemaRegistry;
    beforeAll(async () => {
      server = await runServer(app, {
        host: '127.0.0.1',
        port: 0,
        shutdownTimeoutMs: 2_000,
        exit: false,
        signals: [],
      });
      client = new SchemaRegistry({
        host: server.url,
        auth: { username: ADMIN.key, password: ADMIN.secret },
      });
    });

    it('registers, encodes and decodes through the registry', async () => {
      const { id } = await client.register(
        { type: SchemaType.AVRO, schema: customerV2 },
        { subject: 'shop.kafkajs-value' },
      );
      expect(await client.getLatestSchemaId('shop.kafkajs-value')).toBe(id);
      const payload = await client.encode(id, {
        id: 'c-1',
        email: 'ada@example.com',
        status: 'active',
      });
      expect(payload[0]).toBe(0);
      expect(payload.readInt32BE(1)).toBe(id);
      // A fresh client knows nothing: decoding fetches the schema by id from the registry.
      const fresh = new SchemaRegistry({ host: server.url });
      expect(await fresh.decode(payload)).toEqual({ id: 'c-1', email: 'ada@example.com', status: 'active' });
      expect(
        await client.getRegistryIdBySchema('shop.kafkajs-value', {
          type: SchemaType.AVRO,
          schema: customerV2,
        }),
      ).toBe(id);
    });

    it('sees a refused registration as an error from the registry', async () => {
      await expect(
        client.register(
          { type: SchemaType.AVRO, schema: customerBreaking },
          { subject: 'shop.kafkajs-value' },
        ),
      ).rejects.toThrow(/incompatible/i);
    });
  });
});
