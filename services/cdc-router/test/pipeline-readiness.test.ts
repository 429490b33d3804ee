import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { eventually, startRouter } from './support/router.ts';
import { ITEM_CONTRACT, ITEM_DDL, startTestBed } from './support/test-bed.ts';
import type { TestBed } from './support/test-bed.ts';

/**
 * A consumer that stops on an error it cannot retry (here: the routes file names a table the source does
 * not have, so the capture cannot be set up) leaves the router alive but moving nothing: readiness says so,
 * naming the pipeline and the cause, instead of staying green.
 */
describe('readiness when the pipeline cannot run', () => {
  let bed: TestBed;
  let router: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    bed = await startTestBed('cdc-pipeline-ready', {
      ddl: ITEM_DDL,
      contracts: { 'public.item': ITEM_CONTRACT },
    });
    router = await startRouter({
      mode: 'embedded',
      routesYaml: bed.routesYaml({ tables: ['public.item', 'public.not_there'] }),
      databaseUrl: bed.dbs.urls.router as string,
      sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
      sourceUrls: { shop: bed.ctx.databaseUrl },
      registryUrl: bed.registry.url,
      gateUrl: bed.gate.url,
    });
  });
  afterAll(async () => {
    await router?.app.close();
    await bed?.[Symbol.asyncDispose]();
  });

  it('fails readiness naming the pipeline and why, while the process keeps serving', async () => {
    const ready = await eventually(
      'readiness to fail',
      async () => {
        const res = await fetch(`${router.url}/readyz`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      },
      (r) => r.status === 503,
      20_000,
    );
    expect(ready.body.failed).toEqual(['pipeline']);
    expect(JSON.stringify(ready.body)).toContain('not_there');
    expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
  });

  it('refuses at start a source that lists table patterns only (it would move nothing)', async () => {
    const routes = bed
      .routesYaml({ tables: ['public.item'] })
      .replace(/tables: \[public\.item\], slot:/, "patterns: ['public.*'], slot:");
    expect(routes).toContain("patterns: ['public.*']");
    await expect(
      startRouter({
        mode: 'kafka',
        routesYaml: routes,
        databaseUrl: bed.dbs.urls.router as string,
        sinkUrls: { 'analytics-eu': bed.dbs.urls.eu as string },
        sourceUrls: { shop: bed.ctx.databaseUrl },
        registryUrl: bed.registry.url,
        gateUrl: bed.gate.url,
        kafka: bed.ctx.kafkaBootstrap(),
        groupId: bed.ctx.groupId,
      }),
    ).rejects.toMatchObject({ code: 'CDC_CONFIG_INVALID', message: expect.stringContaining('source shop') });
  });
});
