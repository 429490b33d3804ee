import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { adminKeyPath, createLogger, ensureAdminKey, runServer } from '@data-spine/service-kit';
import type { ApiKey, RunningServer } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp, DEFAULT_FORMATS, loadRegistryConfig } from '../src/index.ts';
import { basic, CT } from './registry-harness.ts';

const schema = (name: string) =>
  JSON.stringify({ type: 'record', name, fields: [{ name: 'id', type: 'string', doc: 'key' }] });

/**
 * Producer keys as a deployment gets them: the registry boots from its config alone (the admin key file
 * `spine up` writes, Postgres), an admin issues a key through `/admin/keys`, CI uses it over HTTP.
 */
describe('schema registry: producer keys issued by an admin', () => {
  let ctx: TestContext;
  let dataDir: string;
  let admin: ApiKey;
  let app: FastifyInstance;
  let server: RunningServer;
  let issued: { key: string; secret: string; roles: string[]; scopes: string[] };

  const start = async () => {
    const config = loadRegistryConfig({
      SPINE_DATABASE_URL: ctx.databaseUrl,
      SPINE_ADMIN_KEY_FILE: adminKeyPath(dataDir),
      SPINE_LOG_LEVEL: 'silent',
    });
    app = await buildApp(config, {
      formats: DEFAULT_FORMATS,
      logger: createLogger({ service: 'producer-keys-test', level: 'silent' }),
    });
    server = await runServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 2_000,
      exit: false,
      signals: [],
    });
  };
  const call = async (method: string, path: string, key: ApiKey | null, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: basic(key) } : {}), ...(body ? { 'content-type': CT } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
  };

  beforeAll(async () => {
    ctx = await useTestContext('registry-producer-keys');
    dataDir = await mkdtemp(join(tmpdir(), 'registry-keys-'));
    admin = (await ensureAdminKey(dataDir)).apiKey;
    await start();
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.[Symbol.asyncDispose]();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('issues a producer key to the admin only, answering the secret once', async () => {
    const created = await call('POST', '/admin/keys', admin, { scopes: ['shop.', 'billing.'] });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    issued = created.body as unknown as typeof issued;
    expect(issued).toMatchObject({ roles: ['producer'], scopes: ['shop.', 'billing.'] });
    expect(issued.key).toMatch(/^spk_/);
    expect(issued.secret.length).toBeGreaterThanOrEqual(40);
    expect((await call('POST', '/admin/keys', null, { scopes: ['*'] })).body).toMatchObject({
      error_code: 40101,
    });
    expect((await call('POST', '/admin/keys', admin, { scopes: [] })).body).toMatchObject({
      error_code: 400,
    });
    const listed = await call('GET', '/admin/keys', admin);
    expect(listed.body).toEqual([
      expect.objectContaining({
        key: issued.key,
        roles: ['producer'],
        scopes: ['shop.', 'billing.'],
        createdBy: admin.key,
        revokedAt: null,
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(issued.secret);
    expect((await call('GET', '/admin/keys', null)).status).toBe(401);
  });

  it('stores only a salted hash of the secret', async () => {
    const { rows } = await ctx.sql<{ secret_hash: string }>('select secret_hash from registry_api_key');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.secret_hash).toMatch(/^hmac-sha256\$/);
    expect(rows[0]?.secret_hash).not.toContain(issued.secret);
    const { rows: audit } = await ctx.sql<{ principal: string; detail: Record<string, unknown> }>(
      "select principal, detail from registry_audit where action = 'create-api-key'",
    );
    expect(audit).toEqual([
      {
        principal: admin.key,
        detail: { key: issued.key, roles: ['producer'], scopes: ['shop.', 'billing.'] },
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain(issued.secret);
  });

  it('lets the producer key register under its prefixes, and refuses it elsewhere and on admin routes', async () => {
    const producer = { key: issued.key, secret: issued.secret };
    const ok = await call('POST', '/subjects/shop.orders-value/versions', producer, {
      schema: schema('Order'),
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(
      (
        await call('POST', '/subjects/billing.invoice-value/versions', producer, {
          schema: schema('Invoice'),
        })
      ).status,
    ).toBe(200);
    const outside = await call('POST', '/subjects/hr.salary-value/versions', producer, {
      schema: schema('Salary'),
    });
    expect(outside.status).toBe(403);
    expect(outside.body).toEqual({
      error_code: 40301,
      message: `API key ${issued.key} is not scoped to hr.salary-value`,
    });
    expect((await call('PUT', '/config/shop.orders-value', producer, { compatibility: 'NONE' })).status).toBe(
      403,
    );
    expect((await call('POST', '/admin/keys', producer, { scopes: ['*'] })).status).toBe(403);
    const wrongSecret = await call(
      'POST',
      '/subjects/shop.orders-value/versions',
      { key: issued.key, secret: 'guess' },
      { schema: schema('Order') },
    );
    expect(wrongSecret.body).toMatchObject({ error_code: 40101 });
  });

  it('keeps the key across a restart, and refuses it once revoked', async () => {
    await app.close();
    await start();
    const producer = { key: issued.key, secret: issued.secret };
    expect(
      (
        await call('POST', '/subjects/shop.after-restart-value/versions', producer, {
          schema: schema('After'),
        })
      ).status,
    ).toBe(200);
    expect((await call('DELETE', `/admin/keys/${issued.key}`, admin)).body).toEqual({
      key: issued.key,
      revoked: true,
    });
    expect((await call('DELETE', `/admin/keys/${issued.key}`, admin)).status).toBe(404);
    // A verified key is trusted for up to a minute in a running process; a new process asks Postgres.
    await app.close();
    await start();
    const revoked = await call('POST', '/subjects/shop.orders-value/versions', producer, {
      schema: schema('Order'),
    });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ error_code: 40101 });
    expect((await call('GET', '/admin/keys', admin)).body).toEqual([
      expect.objectContaining({ key: issued.key, revokedAt: expect.any(String) }),
    ]);
  });
});
