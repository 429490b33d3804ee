import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Browser } from 'playwright-core';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import { buildApp, loadLineageConfig } from '../../src/index.ts';
import { launchChromium } from './browser.ts';
import { compatEvents, craftedEvents } from './ui-fixtures.ts';

const PRODUCER_KEY = { key: 'ui-test-producer', secret: 'ui-test-secret' };
const COMPAT = fileURLToPath(
  new URL('../../../../../shared/spec/openlineage/compat-events/', import.meta.url),
);
const SHARED_COMPAT = '/work/shared/spec/openlineage/compat-events';

export interface UiHarness {
  /** `http://127.0.0.1:<port>` of the running collector. */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The real collector (buildApp on a free loopback port, its own database in the shared Postgres), fed
 * every OpenLineage compatibility event and the crafted graph over HTTP with a producer key, and a
 * headless Chromium to look at it with.
 */
export async function startUiHarness(): Promise<UiHarness> {
  const ctx = await useTestContext('lineage-ui');
  const app = await buildApp(
    loadLineageConfig({
      SPINE_DATABASE_URL: ctx.databaseUrl,
      SPINE_LOG_LEVEL: 'silent',
      SPINE_LINEAGE_PORT: '0',
    }),
    {
      logger: createLogger({ service: 'lineage-ui-test', level: 'silent' }),
      credentials: new MemoryCredentialStore([
        {
          key: PRODUCER_KEY.key,
          secretHash: hashSecret(PRODUCER_KEY.secret),
          roles: ['producer'],
          scopes: ['*'],
        },
      ]),
    },
  ).catch(async (err: unknown) => {
    await ctx[Symbol.asyncDispose]();
    throw err;
  });
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await app.close();
    await ctx[Symbol.asyncDispose]();
  };
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no TCP address');
    const base = `http://127.0.0.1:${address.port}`;

    const compat = await compatEvents(COMPAT).catch(() => compatEvents(SHARED_COMPAT));
    expect(compat.length).toBeGreaterThan(40);
    for (const batch of [compat, craftedEvents()]) {
      const res = await fetch(`${base}/api/v1/lineage/batch`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${PRODUCER_KEY.key}:${PRODUCER_KEY.secret}`,
        },
        body: JSON.stringify(batch),
      });
      const body = (await res.json()) as { summary?: { failed: number; successful: number } };
      expect(res.status, JSON.stringify(body).slice(0, 2000)).toBe(200);
      expect(body.summary?.failed, JSON.stringify(body).slice(0, 2000)).toBe(0);
      expect(body.summary?.successful).toBe(batch.length);
    }
    // Without credentials the same write is refused: the UI is read-only and ingest is not public.
    const anonymous = await fetch(`${base}/api/v1/lineage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(craftedEvents()[0]),
    });
    expect(anonymous.status).toBe(401);
    browser = await launchChromium();
    return { base, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}
