import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@data-spine/service-kit';
import { resolveHashKey } from '../src/hash-key.ts';
import { buildApp, loadRouterConfig, parseRoutes } from '../src/index.ts';
import type { SourceRecord } from '../src/pipeline/source-record.ts';
import { extraDatabases } from './support/databases.ts';
import { adminStore, CUSTOMER_CONTRACT } from './support/registry.ts';
import { routerEnv } from './support/router.ts';
import { startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

/**
 * Routers of one consumer group hash a PII value alike: in Kafka mode the key lives in the router database,
 * stored by the first router and read back by every other one and by every restart. The env and file
 * overrides come first; embedded mode keeps its data-dir file. Each router here governs the same change
 * (EU customer to the US sink: email and name hashed by the real gate's decision) as a dry run.
 */
describe('the hash key routers share', () => {
  let bed: TestBed;
  const dirs: string[] = [];
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    bed = await startTestBed('cdc-hash-key', {
      ddl: 'select 1',
      contracts: { 'public.customer': CUSTOMER_CONTRACT },
    });
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => {});
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await bed?.[Symbol.asyncDispose]();
  });

  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'cdc-hash-key-'));
    dirs.push(d);
    return d;
  };

  const env = (o: {
    mode: 'kafka' | 'embedded';
    dir: string;
    routerDb?: string;
    extra?: Record<string, string>;
  }) => {
    const e: Record<string, string> = {
      ...routerEnv({
        mode: o.mode,
        routesYaml: '',
        databaseUrl: o.routerDb ?? (bed.dbs.urls.router as string),
        // A dry run writes nothing: both sinks may name the one database.
        sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string, 'analytics-us': bed.dbs.urls.eu as string },
        sourceUrls: { shop: bed.ctx.databaseUrl },
        registryUrl: bed.registry.url,
        gateUrl: bed.gate.url,
        ...(o.mode === 'kafka' ? { kafka: bed.ctx.kafkaBootstrap(), groupId: bed.ctx.groupId } : {}),
      }),
      SPINE_DATA_DIR: o.dir,
    };
    // The test key routerEnv sets would hide the key under test.
    delete e.SPINE_ROUTER_HASH_KEY;
    return { ...e, ...o.extra };
  };

  const router = async (e: Record<string, string>): Promise<FastifyInstance> => {
    const config = loadRouterConfig(e);
    const app = await buildApp(config, {
      routes: parseRoutes(`version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: ${bed.ctx.database}, topicPrefix: ${bed.ctx.topicPrefix}, tables: [public.customer] }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu }
  - { id: analytics-us, type: postgres, region: us-east-1, database: analytics_us }
routes:
  - { source: shop, tables: [public.customer], sink: analytics-us, purpose: analytics }
`),
      logger: createLogger({ service: 'cdc-router', level: 'silent' }),
      credentials: adminStore(),
    });
    apps.push(app);
    return app;
  };

  /** The email as the router would write it to the US sink. */
  const hashedEmail = async (app: FastifyInstance): Promise<string> => {
    const record: SourceRecord = {
      origin: { topic: `${bed.ctx.topicPrefix}.public.customer`, partition: 0, offset: '0' },
      key: Buffer.from(JSON.stringify({ id: 'c-1' })),
      value: Buffer.from(
        JSON.stringify({
          op: 'c',
          ts_ms: Date.now(),
          before: null,
          after: { id: 'c-1', name: 'Ada Lovelace', email: 'ada@example.com', status: 'active' },
          source: {
            version: '3.0.0.Final',
            connector: 'postgresql',
            name: bed.ctx.topicPrefix,
            ts_ms: Date.now(),
            db: bed.ctx.database,
            schema: 'public',
            table: 'customer',
            lsn: 1234,
          },
        }),
      ),
      headers: new Map(),
    };
    const outcome = await app.cdc.delivery.handle([record], { dryRun: true });
    expect(outcome.deadLettered).toEqual([]);
    const [op] = outcome.plan.writes.get('analytics-us') ?? [];
    if (op?.kind !== 'upsert') throw new Error(`no upsert planned: ${JSON.stringify(op)}`);
    return op.row.email as string;
  };
  const hmac = (key: string) => createHmac('sha256', key).update('ada@example.com').digest('hex');
  const storedKey = async (db = 'router') =>
    (await bed.dbs.query<{ hash_key: string }>(db, 'select hash_key from public.cdc_router_hash_key'))[0]
      ?.hash_key;

  it('two Kafka-mode routers on one router database hash alike, with its key; a restart keeps it', async () => {
    const dirA = dataDir();
    const dirB = dataDir();
    const a = await router(env({ mode: 'kafka', dir: dirA }));
    const b = await router(env({ mode: 'kafka', dir: dirB }));
    const key = await storedKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const fromA = await hashedEmail(a);
    expect(fromA).toBe(hmac(key as string));
    expect(await hashedEmail(b)).toBe(fromA);
    // Neither wrote a key of its own.
    expect(existsSync(join(dirA, 'router-hash-key'))).toBe(false);
    expect(existsSync(join(dirB, 'router-hash-key'))).toBe(false);
    await a.close();
    const restarted = await router(env({ mode: 'kafka', dir: dirA }));
    expect(await hashedEmail(restarted)).toBe(fromA);
    expect(await storedKey()).toBe(key);
  });

  it('routers starting together store one key; the first keeps the key its data dir already had', async () => {
    const extra = await extraDatabases(bed.ctx, ['router_fresh']);
    try {
      const url = extra.urls.router_fresh as string;
      const veteran = dataDir();
      writeFileSync(join(veteran, 'router-hash-key'), 'a-key-this-router-hashed-with-before\n');
      const configs = [veteran, dataDir(), dataDir()].map((dir) =>
        loadRouterConfig(env({ mode: 'kafka', dir, routerDb: url })),
      );
      const keys = await Promise.all(configs.map((c) => resolveHashKey(c)));
      const stored = (
        await extra.query<{ hash_key: string }>(
          'router_fresh',
          'select hash_key from public.cdc_router_hash_key',
        )
      ).map((r) => r.hash_key);
      expect(stored).toHaveLength(1);
      expect(new Set(keys.map((k) => k.key.toString()))).toEqual(new Set(stored));
      expect(keys.every((k) => k.origin === 'router-database')).toBe(true);
      // Whichever came first: the veteran's key if it did (its earlier hashes stay valid), else it is told.
      const veteranKey = keys[0] as Awaited<ReturnType<typeof resolveHashKey>>;
      expect(veteranKey.dataDirKeyIgnored ?? false).toBe(
        stored[0] !== 'a-key-this-router-hashed-with-before',
      );
    } finally {
      await extra.drop();
    }
  });

  it('SPINE_ROUTER_HASH_KEY and SPINE_ROUTER_HASH_KEY_FILE come first; embedded mode keeps its data-dir file', async () => {
    const viaEnv = await router(
      env({ mode: 'kafka', dir: dataDir(), extra: { SPINE_ROUTER_HASH_KEY: 'an-operator-given-key-0123' } }),
    );
    expect(await hashedEmail(viaEnv)).toBe(hmac('an-operator-given-key-0123'));
    const dir = dataDir();
    writeFileSync(join(dir, 'mounted-key'), 'a-key-from-a-mounted-secret\n');
    const viaFile = await router(
      env({ mode: 'kafka', dir, extra: { SPINE_ROUTER_HASH_KEY_FILE: join(dir, 'mounted-key') } }),
    );
    expect(await hashedEmail(viaFile)).toBe(hmac('a-key-from-a-mounted-secret'));

    const embeddedDir = dataDir();
    const embedded = await router(env({ mode: 'embedded', dir: embeddedDir }));
    const fileKey = readFileSync(join(embeddedDir, 'router-hash-key'), 'utf8').trim();
    expect(fileKey).not.toBe(await storedKey());
    expect(await hashedEmail(embedded)).toBe(hmac(fileKey));
    await embedded.close();
    expect(await hashedEmail(await router(env({ mode: 'embedded', dir: embeddedDir })))).toBe(hmac(fileKey));
  });
});
