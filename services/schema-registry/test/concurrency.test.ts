import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp, DEFAULT_FORMATS, loadRegistryConfig } from '../src/index.ts';
import { RegistryStore } from '../src/storage/registry-store.ts';
import { ADMIN, basic, CT } from './registry-harness.ts';

/** Many writers against a deliberately small connection pool: nothing may wait forever. */
describe('schema registry under concurrent writers', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  /** A second registry on the same database, as another process would be: its own pool and caches. */
  let other: FastifyInstance;
  const build = () =>
    buildApp(loadRegistryConfig({ SPINE_DATABASE_URL: ctx.databaseUrl, SPINE_LOG_LEVEL: 'silent' }), {
      formats: DEFAULT_FORMATS,
      logger: createLogger({ service: 'concurrency-test', level: 'silent' }),
      store: new RegistryStore(ctx.databaseUrl, 4),
      credentials: new MemoryCredentialStore([
        { key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] },
      ]),
    });
  beforeAll(async () => {
    ctx = await useTestContext('registry-concurrency');
    app = await build();
    other = await build();
  });
  afterAll(async () => {
    await app?.close();
    await other?.close();
    await ctx?.[Symbol.asyncDispose]();
  });

  const register = (subject: string, fields: number, references: unknown[] = [], on = app) =>
    on.inject({
      method: 'POST',
      url: `/subjects/${subject}/versions`,
      headers: { 'content-type': CT, authorization: basic(ADMIN) },
      payload: JSON.stringify({
        schema: JSON.stringify({
          type: 'record',
          name: 'C',
          namespace: 'conc',
          fields: Array.from({ length: fields }, (_, i) => ({
            name: `f_${i}`,
            type: ['null', 'long'],
            default: null,
          })),
        }),
        references,
      }),
    });

  it('fifty HTTP clients over two registries register one schema: one id, one version per subject', async () => {
    const urls = [
      await app.listen({ host: '127.0.0.1', port: 0 }),
      await other.listen({ host: '127.0.0.1', port: 0 }),
    ];
    const schema = JSON.stringify({
      type: 'record',
      name: 'Fifty',
      namespace: 'conc',
      fields: [{ name: 'n', type: 'long' }],
    });
    // Each client its own connection (no keep-alive pool shared between them), alternating registries.
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(`${urls[i % 2]}/subjects/conc.fifty-${i % 5}-value/versions`, {
          method: 'POST',
          headers: { 'content-type': CT, authorization: basic(ADMIN), connection: 'close' },
          body: JSON.stringify({ schema }),
        });
        return { status: res.status, body: (await res.json()) as { id?: number } };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    for (let s = 0; s < 5; s++) {
      const res = await fetch(`${urls[s % 2]}/subjects/conc.fifty-${s}-value/versions`);
      expect(await res.json()).toEqual([1]);
    }
  });

  it('registers 60 versions over 30 subjects at once with a pool of 4, each subject numbered 1..n', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => register(`conc.s${i % 30}-value`, 1 + Math.floor(i / 30))),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(60).fill(200));
    for (let s = 0; s < 30; s++) {
      const versions = await app.inject({ method: 'GET', url: `/subjects/conc.s${s}-value/versions` });
      expect(versions.json()).toEqual([1, 2]);
    }
    // Identical schemas across subjects share an id: two distinct schemas in all.
    expect(new Set(results.map((r) => r.json<{ id: number }>().id)).size).toBe(2);
  });

  it('numbers one subject 1..n and gives one schema one id when two registries write at once', async () => {
    // Each writer sees what the other committed before it got the subject's lock: a stale read would
    // reuse a version number (a primary key violation) or check compatibility against an old latest.
    const subject = 'conc.shared-value';
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => register(subject, 1 + i, [], i % 2 ? other : app)),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(24).fill(200));
    for (const on of [app, other]) {
      const versions = await on.inject({ method: 'GET', url: `/subjects/${subject}/versions` });
      expect(versions.json()).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    }
    // One schema registered into fresh subjects through both registries at once: one id, readable by both.
    const same = await Promise.all(
      Array.from({ length: 16 }, (_, i) => register(`conc.same${i}-value`, 40, [], i % 2 ? other : app)),
    );
    expect(same.map((r) => r.statusCode)).toEqual(Array(16).fill(200));
    const ids = new Set(same.map((r) => r.json<{ id: number }>().id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    for (const on of [app, other])
      expect((await on.inject({ method: 'GET', url: `/schemas/ids/${id}` })).statusCode).toBe(200);
  });

  it('survives its idle sessions being ended by the server, and answers on new ones', async () => {
    expect((await register('shop.ended-sessions-value', 1)).statusCode).toBe(200);
    // A DBA (or a restart) ends every session of this database but the one asking: an idle pooled
    // client's error must not be an uncaught exception (which would end the process).
    const ended = await ctx.adminSql(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [ctx.database],
    );
    expect(ended.rowCount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    const res = await register('shop.after-ended-sessions-value', 1);
    expect(res.statusCode, res.body).toBe(200);
  });
});
