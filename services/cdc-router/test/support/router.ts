import type { FastifyInstance } from 'fastify';
import { createLogger } from '@data-spine/service-kit';
import { buildApp, loadRouterConfig, parseRoutes } from '../../src/index.ts';
import type { RouterDeps } from '../../src/index.ts';
import { adminStore } from './registry.ts';

export interface RouterSetup {
  mode: 'kafka' | 'embedded';
  routesYaml: string;
  databaseUrl: string;
  sinkUrls: Record<string, string>;
  sourceUrls?: Record<string, string>;
  registryUrl: string;
  gateUrl: string;
  kafka?: string;
  groupId?: string;
  adminKeyFile?: string;
  extraEnv?: Record<string, string>;
  deps?: RouterDeps;
}

export function routerEnv(s: RouterSetup): Record<string, string> {
  return {
    SPINE_ROUTER_MODE: s.mode,
    SPINE_DATABASE_URL: s.databaseUrl,
    SPINE_ROUTER_SINK_URLS: JSON.stringify(s.sinkUrls),
    ...(s.sourceUrls ? { SPINE_ROUTER_SOURCE_URLS: JSON.stringify(s.sourceUrls) } : {}),
    SPINE_REGISTRY_URL: s.registryUrl,
    SPINE_GATE_URL: s.gateUrl,
    SPINE_ROUTER_HASH_KEY: 'test-hash-key-0123456789',
    SPINE_LOG_LEVEL: process.env.SPINE_TEST_LOG ?? 'silent',
    SPINE_ROUTER_POLICY_POLL_MS: '500',
    SPINE_ROUTER_CONTRACT_TTL_MS: '1000',
    ...(s.kafka ? { SPINE_KAFKA_BROKERS: s.kafka } : {}),
    ...(s.groupId ? { SPINE_ROUTER_GROUP_ID: s.groupId } : {}),
    ...(s.adminKeyFile ? { SPINE_ADMIN_KEY_FILE: s.adminKeyFile } : {}),
    ...s.extraEnv,
  };
}

/** The router app in-process (real HTTP on port 0), its pipeline started. */
export async function startRouter(s: RouterSetup): Promise<{ app: FastifyInstance; url: string }> {
  const config = loadRouterConfig(routerEnv(s));
  const app = await buildApp(config, {
    routes: parseRoutes(s.routesYaml),
    logger: createLogger({ service: 'cdc-router', level: config.SPINE_LOG_LEVEL }),
    credentials: adminStore(),
    ...s.deps,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await app.cdc.runtime.start();
  return { app, url };
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < end) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 2000)} ${lastErr instanceof Error ? lastErr.message : ''}`,
  );
}

/** The router's `spine_cdc_held{reason}` gauge: 1 while data waits on that dependency, null if never set. */
export async function heldGauge(routerUrl: string, reason: string): Promise<number | null> {
  const line = (await (await fetch(`${routerUrl}/metrics`)).text())
    .split('\n')
    .find((l) => l.startsWith('spine_cdc_held{') && l.includes(`reason="${reason}"`));
  return line === undefined ? null : Number(line.split(' ').pop());
}
