import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createApp,
  createLogger,
  defineError,
  hashSecret,
  MemoryCredentialStore,
  PiiFieldSet,
  withIssues,
} from '../src/index.ts';
import type { AppOptions } from '../src/index.ts';

const TeapotError = defineError('TEST_TEAPOT', 'no coffee for %s', 418);

function memoryLog(): { lines: () => Array<Record<string, unknown>>; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function testApp(overrides: Partial<AppOptions> = {}) {
  const log = memoryLog();
  const pii = new PiiFieldSet();
  pii.add('email');
  const store = new MemoryCredentialStore([
    { key: 'admin', secretHash: hashSecret('s3cret'), roles: ['admin'], scopes: ['*'] },
    { key: 'prod', secretHash: hashSecret('p4ss'), roles: ['producer'], scopes: ['shop.'] },
    { key: 'reader', secretHash: hashSecret('r'), roles: ['reader'], scopes: [] },
  ]);
  const app = await createApp({
    service: 'test-service',
    version: '0.0.0',
    logger: createLogger({ service: 'test', level: 'debug', piiFields: pii, destination: log.stream }),
    bodyLimitBytes: 1024,
    credentials: store,
    readsRequireAuth: false,
    ...overrides,
  });
  app.post(
    '/things/:name',
    {
      config: {
        auth: { role: 'producer', resource: (r) => (r.params as { name: string }).name },
        openapi: { summary: 'make a thing', body: z.object({ size: z.number() }) },
      },
    },
    async (request) => {
      const body = z.object({ size: z.number() }).safeParse(request.body);
      if (!body.success) {
        throw withIssues(new TeapotError('bad body'), [
          { pointer: '/size', rule: 'type', message: 'a number' },
        ]);
      }
      request.timing.record('parse', 1.5);
      request.log.info({ row: { email: 'alice@example.com', country: 'DE' } }, 'made');
      return { ok: true };
    },
  );
  app.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  app.get('/teapot', async () => {
    throw new TeapotError('you');
  });
  return { app, log };
}

const basic = (k: string, s: string) => 'Basic ' + Buffer.from(`${k}:${s}`).toString('base64');

describe('createApp', () => {
  it('answers health, a request id and Server-Timing on every response', async () => {
    const { app } = await testApp();
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['server-timing']).toMatch(/^total;dur=\d+\.\d{3}$/);
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'SPINE_NOT_FOUND', statusCode: 404, error: 'Not Found' });
    expect(missing.headers['server-timing']).toContain('total;dur=');
    await app.close();
  });

  it('records handler phases in Server-Timing', async () => {
    const { app } = await testApp();
    const res = await app.inject({
      method: 'POST',
      url: '/things/shop.customer',
      headers: { authorization: basic('prod', 'p4ss') },
      payload: { size: 3 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['server-timing']).toMatch(/^parse;dur=1\.500, total;dur=/);
    await app.close();
  });

  it('refuses writes without credentials, with wrong ones, with the wrong role or scope', async () => {
    const { app } = await testApp();
    const post = (authorization?: string, name = 'shop.customer') =>
      app.inject({
        method: 'POST',
        url: `/things/${name}`,
        headers: authorization ? { authorization } : {},
        payload: { size: 1 },
      });
    const none = await post();
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('SPINE_UNAUTHORIZED');
    expect(none.headers['www-authenticate']).toContain('Basic');
    expect((await post(basic('prod', 'wrong'))).statusCode).toBe(401);
    expect((await post('Bearer nocolon')).statusCode).toBe(401);
    const reader = await post(basic('reader', 'r'));
    expect(reader.statusCode).toBe(403);
    expect(reader.json().code).toBe('SPINE_FORBIDDEN');
    const outOfScope = await post(basic('prod', 'p4ss'), 'billing.invoice');
    expect(outOfScope.statusCode).toBe(403);
    expect((await post('Bearer prod:p4ss')).statusCode).toBe(200);
    expect((await post(basic('admin', 's3cret'), 'billing.invoice')).statusCode).toBe(200);
    await app.close();
  });

  it('verifies a credential once, and still refuses a wrong secret for the same key after it', async () => {
    const store = new MemoryCredentialStore([
      { key: 'prod', secretHash: hashSecret('p4ss'), roles: ['producer'], scopes: ['shop.'] },
    ]);
    let lookups = 0;
    const counting = { find: (key: string) => (lookups++, store.find(key)) };
    const { app } = await testApp({ credentials: counting });
    const post = (authorization: string) =>
      app.inject({ method: 'POST', url: '/things/shop.a', headers: { authorization }, payload: { size: 1 } });
    for (let i = 0; i < 5; i++) expect((await post(basic('prod', 'p4ss'))).statusCode).toBe(200);
    expect(lookups).toBe(1);
    expect((await post(basic('prod', 'guess'))).statusCode).toBe(401);
    expect((await post(basic('prod', 'guess'))).statusCode).toBe(401);
    expect(lookups).toBe(3);
    await app.close();
  });

  it('requires credentials for reads when configured', async () => {
    const { app } = await testApp({ readsRequireAuth: true });
    expect((await app.inject({ method: 'GET', url: '/teapot' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/teapot', headers: { authorization: basic('reader', 'r') } }))
        .statusCode,
    ).toBe(418);
    await app.close();
  });

  it('turns bad input into coded 4xx bodies with pointers', async () => {
    const { app } = await testApp();
    const auth = { authorization: basic('admin', 's3cret'), 'content-type': 'application/json' };
    const malformed = await app.inject({
      method: 'POST',
      url: '/things/x',
      headers: auth,
      payload: '{"size": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('SPINE_MALFORMED_JSON');
    const big = await app.inject({
      method: 'POST',
      url: '/things/x',
      headers: auth,
      payload: JSON.stringify({ size: 1, pad: 'x'.repeat(2000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('SPINE_BODY_TOO_LARGE');
    const media = await app.inject({
      method: 'POST',
      url: '/things/x',
      headers: { ...auth, 'content-type': 'application/x-yaml' },
      payload: 'size: 1',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().code).toBe('SPINE_UNSUPPORTED_MEDIA_TYPE');
    const invalid = await app.inject({
      method: 'POST',
      url: '/things/x',
      headers: auth,
      payload: { size: 'big' },
    });
    expect(invalid.statusCode).toBe(418);
    expect(invalid.json()).toMatchObject({
      code: 'TEST_TEAPOT',
      message: 'no coffee for bad body',
      issues: [{ pointer: '/size', rule: 'type', message: 'a number' }],
    });
    await app.close();
  });

  it('hides an unknown throw behind a 500 and logs its cause', async () => {
    const { app, log } = await testApp();
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'SPINE_INTERNAL', requestId: res.headers['x-request-id'] });
    expect(res.body).not.toContain('hunter2');
    const logged = log.lines().find((l) => l.msg === 'request failed');
    expect((logged?.err as { message: string }).message).toContain('hunter2');
    await app.close();
  });

  it('never writes secrets or PII-tagged values to the log', async () => {
    const { app, log } = await testApp();
    await app.inject({
      method: 'POST',
      url: '/things/shop.a',
      headers: { authorization: basic('prod', 'p4ss') },
      payload: { size: 2 },
    });
    const text = JSON.stringify(log.lines());
    expect(text).toContain('"country":"DE"');
    expect(text).not.toContain('alice@example.com');
    expect(text).not.toContain('p4ss');
    expect(text).not.toContain(Buffer.from('prod:p4ss').toString('base64'));
    await app.close();
  });

  it('exports an HTTP histogram labelled by route template and status', async () => {
    const { app } = await testApp();
    await app.inject({ method: 'GET', url: '/teapot' });
    await app.inject({ method: 'GET', url: '/no/such/path/123' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /spine_http_request_duration_seconds_count\{service="test-service",method="GET",route="\/teapot",status_code="418"\} 1/,
    );
    expect(res.body).toContain('route="__unmatched"');
    expect(res.body).not.toContain('/no/such/path/123');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    await app.close();
  });

  it('reports readiness per dependency', async () => {
    const { app } = await testApp({
      readiness: [
        { name: 'postgres', check: async () => {} },
        { name: 'gate', check: async () => Promise.reject(new Error('connection refused')) },
        { name: 'slow', check: () => new Promise(() => {}) },
      ],
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.code).toBe('SPINE_NOT_READY');
    expect(body.failed).toEqual(['gate', 'slow']);
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.gate.error).toBe('connection refused');
    expect(body.checks.slow.error).toMatch(/no answer within/);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('spine_ready{dependency="postgres",service="test-service"} 1');
    expect(metrics).toContain('spine_ready{dependency="gate",service="test-service"} 0');
    await app.close();
  }, 10_000);

  it('serves an OpenAPI document of its routes', async () => {
    const { app } = await testApp();
    await app.ready();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const op = doc.paths['/things/{name}'].post;
    expect(op.summary).toBe('make a thing');
    expect(op.parameters[0].name).toBe('name');
    expect(op.requestBody.content['application/json'].schema.properties.size.type).toBe('number');
    expect(doc.paths['/healthz'].get).toBeDefined();
    await app.close();
  });
});
