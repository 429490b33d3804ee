import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import {
  createApp,
  createLogger,
  defaultErrorBody,
  hashSecret,
  MemoryCredentialStore,
  parseApiKey,
} from '@data-spine/service-kit';
import type { ClassifiedError, CredentialStore, Logger } from '@data-spine/service-kit';
import type { LineageConfig } from './config.ts';
import { IngestQueue } from './ingest/ingest-queue.ts';
import { createLineageMetrics } from './metrics/lineage-metrics.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { eventRoutes } from './routes/events.ts';
import { ingestRoutes } from './routes/ingest.ts';
import type { LineageContext } from './routes/lineage-context.ts';
import { lineageRoutes } from './routes/lineage.ts';
import { residencyRoutes } from './routes/residency.ts';
import { runListRoutes } from './routes/run-lists.ts';
import { searchRoutes } from './routes/search.ts';
import { loadGraph } from './storage/graph-loader.ts';
import { LineageStore } from './storage/lineage-store.ts';
import { PolicyTagIndex } from './tags/policy-tags.ts';
import { RegistryFieldTags } from './tags/registry-field-tags.ts';
import uiPlugin from './ui/ui-plugin.ts';
import { OpenLineageValidator } from './validation/openlineage-validator.ts';

export interface LineageDeps {
  logger?: Logger;
  credentials?: CredentialStore;
  /** Shared across apps in one process (the validator compiles the spec once, ~0.4 s). */
  validator?: OpenLineageValidator;
}

declare module 'fastify' {
  interface FastifyInstance {
    lineage: LineageContext;
  }
}

/** The admin key from SPINE_ADMIN_KEY_FILE (`key:secret`), stored hashed in memory. */
async function adminCredentials(config: LineageConfig): Promise<CredentialStore> {
  const store = new MemoryCredentialStore();
  const file = config.SPINE_ADMIN_KEY_FILE;
  if (file) {
    const key = parseApiKey((await readFile(file, 'utf8')).trim());
    if (!key) throw new Error(`${file} is not of the form key:secret`);
    store.put({ key: key.key, secretHash: hashSecret(key.secret), roles: ['admin'], scopes: ['*'] });
  }
  return store;
}

/** Our errors carry issues with a JSON pointer and a rule; the first one is repeated at the top level. */
function errorBody(error: ClassifiedError, request: FastifyRequest) {
  const body = defaultErrorBody(error, request);
  const first = body.issues?.[0];
  return first ? { ...body, pointer: first.pointer, rule: first.rule } : body;
}

/** Builds the collector's app (migrates, loads the graph from the tables); never listens. */
export async function buildApp(config: LineageConfig, deps: LineageDeps = {}): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger({ service: 'lineage-collector', level: config.SPINE_LOG_LEVEL });
  const validator = deps.validator ?? new OpenLineageValidator();
  const store = new LineageStore(
    config.SPINE_DATABASE_URL,
    config.SPINE_LINEAGE_DB_POOL,
    config.SPINE_LINEAGE_DB_MAX_WAITING,
  );
  let registryTags: RegistryFieldTags | null = null;
  try {
    await store.migrate();
    const graph = await loadGraph(store);
    const registry = new Registry();
    const metrics = createLineageMetrics(registry);
    const log = logger.child({ component: 'ingest' });
    if (config.SPINE_REGISTRY_URL) {
      registryTags = new RegistryFieldTags(
        {
          url: config.SPINE_REGISTRY_URL,
          key: config.SPINE_REGISTRY_KEY,
          topicPrefixes: config.SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES,
        },
        graph,
        store,
        logger.child({ component: 'registry-tags' }),
      );
      registryTags.consider(graph.datasets.keys());
    }
    const tagsFetcher = registryTags;
    const ingest = new IngestQueue(store, graph, {
      maxPending: config.SPINE_LINEAGE_MAX_PENDING_EVENTS,
      flushEvents: config.SPINE_LINEAGE_FLUSH_EVENTS,
      log,
      metrics,
      onApplied: (plan) => tagsFetcher?.consider(plan.datasets.keys()),
    });
    const ctx: LineageContext = {
      config,
      graph,
      store,
      tags: new PolicyTagIndex(graph, config.SPINE_LINEAGE_EEA_REGIONS),
      queue: ingest,
      validator,
      metrics,
    };
    const app = await createApp({
      service: 'lineage-collector',
      version: '0.1.0',
      description:
        'OpenLineage collector with a Marquez-compatible read API, point-in-time lineage and policy tags.',
      logger,
      bodyLimitBytes: config.SPINE_BODY_LIMIT_BYTES,
      credentials: deps.credentials ?? (await adminCredentials(config)),
      readsRequireAuth: config.SPINE_READS_REQUIRE_AUTH,
      readiness: [{ name: 'postgres', check: () => store.ping() }],
      closeDependencies: async () => {
        tagsFetcher?.close();
        await ingest.idle();
        await tagsFetcher?.idle();
        await store.close();
      },
      errorSerializer: errorBody,
      metricsRegistry: registry,
    });
    app.decorate('lineage', ctx);
    await ingestRoutes(app, ctx);
    catalogRoutes(app, ctx);
    lineageRoutes(app, ctx);
    eventRoutes(app, ctx);
    searchRoutes(app, ctx);
    residencyRoutes(app, ctx);
    runListRoutes(app, ctx);
    await app.register(uiPlugin);
    return app;
  } catch (err) {
    registryTags?.close();
    await store.close().catch(() => {});
    throw err;
  }
}
