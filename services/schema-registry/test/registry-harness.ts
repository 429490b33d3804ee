import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp, DEFAULT_FORMATS, loadRegistryConfig } from '../src/index.ts';

export const ADMIN = { key: 'admin', secret: 'admin-secret' };
export const PRODUCER = { key: 'shop-ci', secret: 'shop-secret' };
export const basic = (k: { key: string; secret: string }) =>
  'Basic ' + Buffer.from(`${k.key}:${k.secret}`).toString('base64');
export const CT = 'application/vnd.schemaregistry.v1+json';

/** A registry app on its own database of the shared test Postgres, with an admin and a producer key. */
export interface RegistryHarness {
  ctx: TestContext;
  app: FastifyInstance;
  post(url: string, body: unknown, auth?: string): Promise<LightMyRequestResponse>;
  put(url: string, body: unknown, auth?: string): Promise<LightMyRequestResponse>;
  del(url: string, auth?: string): Promise<LightMyRequestResponse>;
  get(url: string, auth?: string): Promise<LightMyRequestResponse>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** `env`: more of the registry's configuration (`SPINE_READS_REQUIRE_AUTH`, limits). */
export async function startRegistry(
  name: string,
  env: Record<string, string> = {},
): Promise<RegistryHarness> {
  const ctx = await useTestContext(name);
  const build = () =>
    buildApp(loadRegistryConfig({ SPINE_DATABASE_URL: ctx.databaseUrl, SPINE_LOG_LEVEL: 'silent', ...env }), {
      formats: DEFAULT_FORMATS,
      logger: createLogger({ service: `${name}-test`, level: 'silent' }),
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
  const h: RegistryHarness = {
    ctx,
    app: await build(),
    post: (url, body, auth = basic(ADMIN)) =>
      h.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': CT, authorization: auth },
        payload: JSON.stringify(body),
      }),
    put: (url, body, auth = basic(ADMIN)) =>
      h.app.inject({
        method: 'PUT',
        url,
        headers: { 'content-type': CT, authorization: auth },
        payload: JSON.stringify(body),
      }),
    del: (url, auth = basic(ADMIN)) =>
      h.app.inject({ method: 'DELETE', url, headers: { authorization: auth } }),
    get: (url, auth) =>
      h.app.inject({ method: 'GET', url, ...(auth ? { headers: { authorization: auth } } : {}) }),
    async restart() {
      await h.app.close();
      h.app = await build();
    },
    async close() {
      await h.app.close();
      await ctx[Symbol.asyncDispose]();
    },
  };
  return h;
}
