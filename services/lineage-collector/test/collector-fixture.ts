import { gzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp, loadLineageConfig, OpenLineageValidator } from '../src/index.ts';

export const ADMIN = { key: 'lineage-admin', secret: 'admin-secret' };
export const PRODUCER = { key: 'cdc-router', secret: 'router-secret' };
export const bearer = (k = PRODUCER) => `Bearer ${k.key}:${k.secret}`;
export const basic = (k = ADMIN) => 'Basic ' + Buffer.from(`${k.key}:${k.secret}`).toString('base64');

let sharedValidator: OpenLineageValidator | undefined;

export interface Collector {
  ctx: TestContext;
  app: FastifyInstance;
  env: Record<string, string>;
  /** Builds another app on the same database (a restart). */
  rebuild(): Promise<FastifyInstance>;
  post(
    url: string,
    body: unknown,
    opts?: { gzip?: boolean; auth?: string | null },
  ): Promise<LightMyRequestResponse>;
  get<T = unknown>(url: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startCollector(name: string, env: Record<string, string> = {}): Promise<Collector> {
  const ctx = await useTestContext(name);
  sharedValidator ??= new OpenLineageValidator();
  const fullEnv = { SPINE_DATABASE_URL: ctx.databaseUrl, SPINE_LOG_LEVEL: 'silent', ...env };
  const build = () =>
    buildApp(loadLineageConfig(fullEnv), {
      validator: sharedValidator,
      logger: createLogger({ service: 'lineage-test', level: 'silent' }),
      credentials: new MemoryCredentialStore([
        { key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] },
        { key: PRODUCER.key, secretHash: hashSecret(PRODUCER.secret), roles: ['producer'], scopes: ['*'] },
      ]),
    });
  const c: Collector = {
    ctx,
    app: await build(),
    env: fullEnv,
    async rebuild() {
      await c.app.close();
      c.app = await build();
      return c.app;
    },
    post(url, body, opts = {}) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.auth !== null) headers.authorization = opts.auth ?? bearer();
      if (opts.gzip) headers['content-encoding'] = 'gzip';
      return c.app.inject({ method: 'POST', url, headers, payload: opts.gzip ? gzipSync(text) : text });
    },
    async get<T>(url: string) {
      const r = await c.app.inject({ method: 'GET', url });
      return { status: r.statusCode, body: r.json<T>() };
    },
    async close() {
      await c.app?.close();
      await ctx[Symbol.asyncDispose]();
    },
  };
  return c;
}

let seq = 0;
/** A RunEvent with fresh UUIDs unless given. */
export function runEvent(opts: {
  eventType?: string;
  runId?: string;
  time: string;
  job?: { namespace: string; name: string; facets?: Record<string, unknown> };
  inputs?: Array<{ namespace: string; name: string; facets?: Record<string, unknown> }>;
  outputs?: Array<{ namespace: string; name: string; facets?: Record<string, unknown> }>;
  runFacets?: Record<string, unknown>;
}): Record<string, unknown> {
  seq++;
  return {
    eventType: opts.eventType ?? 'COMPLETE',
    eventTime: opts.time,
    producer: 'https://github.com/data-spine/tests',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: opts.runId ?? crypto.randomUUID(), facets: opts.runFacets ?? {} },
    job: { facets: {}, ...(opts.job ?? { namespace: 'tests', name: `job-${seq}` }) },
    inputs: (opts.inputs ?? []).map((d) => ({ facets: {}, ...d })),
    outputs: (opts.outputs ?? []).map((d) => ({ facets: {}, ...d })),
  };
}

export const facet = (
  body: Record<string, unknown>,
  schema = 'https://openlineage.io/spec/facets/1-0-0/TagsDatasetFacet.json',
) => ({
  _producer: 'https://github.com/data-spine/tests',
  _schemaURL: schema,
  ...body,
});

export const tagsFacet = (...tags: Array<{ key: string; value: string; field?: string; source?: string }>) =>
  facet({ tags: tags.map((t) => ({ source: 'USER', ...t })) });

export const schemaFacet = (...fields: Array<[string, string]>) =>
  facet(
    { fields: fields.map(([name, type]) => ({ name, type })) },
    'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  );

const SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs';

/** A DatasetEvent (static metadata about one dataset). */
export function datasetEvent(opts: {
  time: string;
  dataset: { namespace: string; name: string; facets?: Record<string, unknown> };
}): Record<string, unknown> {
  return {
    eventTime: opts.time,
    producer: 'https://github.com/data-spine/tests',
    schemaURL: `${SPEC}/DatasetEvent`,
    dataset: { facets: {}, ...opts.dataset },
  };
}

/** A JobEvent (static metadata about a job and its inputs and outputs, no run). */
export function jobEvent(opts: {
  time: string;
  job: { namespace: string; name: string; facets?: Record<string, unknown> };
  inputs?: Array<{ namespace: string; name: string; facets?: Record<string, unknown> }>;
  outputs?: Array<{ namespace: string; name: string; facets?: Record<string, unknown> }>;
}): Record<string, unknown> {
  return {
    eventTime: opts.time,
    producer: 'https://github.com/data-spine/tests',
    schemaURL: `${SPEC}/JobEvent`,
    job: { facets: {}, ...opts.job },
    inputs: (opts.inputs ?? []).map((d) => ({ facets: {}, ...d })),
    outputs: (opts.outputs ?? []).map((d) => ({ facets: {}, ...d })),
  };
}
