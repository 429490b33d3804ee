import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { KafkaBus } from '@data-spine/bus';
import type { Bus } from '@data-spine/bus';
import {
  createApp,
  createLogger,
  hashSecret,
  MemoryCredentialStore,
  parseApiKey,
} from '@data-spine/service-kit';
import type { CredentialStore, Logger } from '@data-spine/service-kit';
import type { RouterConfig } from './config.ts';
import { createCapture } from './capture/index.ts';
import { sinkUrl, sourceDataset, sourceUrl } from './connections.ts';
import { DeadLetterStore } from './dlq/dead-letter-store.ts';
import { Replayer } from './dlq/replay.ts';
import { ConfigInvalid } from './errors.ts';
import { DecisionCache } from './governance/decision-cache.ts';
import { GateClient } from './governance/gate-client.ts';
import { RegistryClient } from './governance/registry-client.ts';
import { loadHashKey } from './hash-key.ts';
import { LineageRecorder } from './lineage/lineage-recorder.ts';
import { RouterMetrics } from './metrics.ts';
import { ChangeRouter } from './pipeline/change-router.ts';
import { Delivery } from './pipeline/delivery.ts';
import type { Plan } from './pipeline/change-router.ts';
import type { SinkOp } from './sinks/sink-op.ts';
import { CdcRuntime } from './pipeline/runtime.ts';
import type { CaptureFactory } from './pipeline/runtime.ts';
import { loadRoutesFile } from './routes-file/load-routes.ts';
import type { RoutesFile } from './routes-file/routes-model.ts';
import { dlqRoutes } from './routes/dlq-routes.ts';
import { KafkaSink } from './sinks/kafka-sink.ts';
import { PostgresSink } from './sinks/postgres-sink.ts';
import { SinkExpiry } from './sinks/sink-expiry.ts';
import type { Sink } from './sinks/sink-op.ts';

export interface RouterDeps {
  /** The parsed routes (else SPINE_ROUTES_FILE is read). */
  routes?: RoutesFile;
  logger?: Logger;
  credentials?: CredentialStore;
  /** Embedded mode: how to open a source's capture (else the capture module's `createCapture`). */
  captureFor?: CaptureFactory;
  /** Called after each durable batch (lineage uses it). */
  onDelivered?: (plan: Plan, writes: ReadonlyMap<string, SinkOp[]>, deadLettered: number) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    cdc: {
      runtime: CdcRuntime;
      delivery: Delivery;
      decisions: DecisionCache;
      registry: RegistryClient;
      routes: RoutesFile;
      expiry: SinkExpiry;
    };
  }
}

async function adminKey(config: RouterConfig): Promise<{ store: CredentialStore; credential?: string }> {
  const store = new MemoryCredentialStore();
  const file = config.SPINE_ADMIN_KEY_FILE;
  if (!file) return { store };
  const text = (await readFile(file, 'utf8')).trim();
  const key = parseApiKey(text);
  if (!key) throw new ConfigInvalid(`${file} is not of the form key:secret`);
  store.put({ key: key.key, secretHash: hashSecret(key.secret), roles: ['admin'], scopes: ['*'] });
  return { store, credential: text };
}

/** Builds the router's app and its pipeline (not started: `app.cdc.runtime.start()`); never listens. */
export async function buildApp(config: RouterConfig, deps: RouterDeps = {}): Promise<FastifyInstance> {
  const log = deps.logger ?? createLogger({ service: 'cdc-router', level: config.SPINE_LOG_LEVEL });
  const routes = deps.routes ?? loadRoutesFile(config.SPINE_ROUTES_FILE);
  const { store: adminStore, credential } = await adminKey(config);
  const promRegistry = new Registry();
  const deadLetters = new DeadLetterStore(config.SPINE_DATABASE_URL, routes.deadLetter.table);
  await deadLetters.migrate();
  const metrics = new RouterMetrics(promRegistry, () => deadLetters.depth());
  const timeoutMs = config.SPINE_ROUTER_DEPENDENCY_TIMEOUT_MS;
  const registry = new RegistryClient({
    url: config.SPINE_REGISTRY_URL,
    ttlMs: config.SPINE_ROUTER_CONTRACT_TTL_MS,
    timeoutMs,
    metrics,
  });
  const gate = new GateClient({
    url: config.SPINE_GATE_URL,
    timeoutMs,
    metrics,
    ...(credential ? { credential } : {}),
  });
  const decisions = new DecisionCache(gate, metrics);

  let bus: Bus | undefined;
  if (config.SPINE_KAFKA_BROKERS.length > 0)
    bus = new KafkaBus({
      clientId: `cdc-router`,
      brokers: config.SPINE_KAFKA_BROKERS,
      onEvent: (e) => {
        if (e.type === 'retry') {
          const d = e.detail as { error?: Error; attempt?: number; topic?: string };
          log.warn({ err: d.error?.message, attempt: d.attempt, topic: d.topic }, 'batch held; retrying');
        } else if (e.type === 'revoked') {
          // Topic, partition and counts only: the records themselves are not logged.
          const d = e.detail as { topic?: string; partition?: number; records?: number; handled?: boolean };
          log.info(
            { topic: d.topic, partition: d.partition, records: d.records, handled: d.handled },
            'partition revoked',
          );
        } else log.info({ event: e.type }, 'consumer event');
      },
    });
  if (config.SPINE_ROUTER_MODE === 'kafka' && !bus)
    throw new ConfigInvalid('SPINE_ROUTER_MODE=kafka needs SPINE_KAFKA_BROKERS');
  // The router subscribes to the topics of listed tables: a source with patterns alone would move nothing.
  for (const source of routes.sources)
    if (!source.tables)
      throw new ConfigInvalid(
        `source ${source.id} lists table patterns only; list its tables under "tables" (the router consumes their topics, and patterns select among them)`,
      );

  const sinks = new Map<string, Sink>();
  const expiring: PostgresSink[] = [];
  for (const s of routes.sinks) {
    if (s.type === 'postgres') {
      const sink = new PostgresSink(s.id, sinkUrl(config, s), log.child({ sink: s.id }), { ttl: s.ttl });
      sinks.set(s.id, sink);
      // Swept even without a TTL: a decision may cap a table's retention (spine.retention_caps).
      expiring.push(sink);
    } else {
      if (!bus) throw new ConfigInvalid(`sink ${s.id} is a Kafka sink and SPINE_KAFKA_BROKERS is not set`);
      sinks.set(s.id, new KafkaSink(s.id, bus, s.topicPrefix ?? s.id, config.SPINE_KAFKA_BROKERS));
    }
  }
  const lineage = config.SPINE_LINEAGE_URL
    ? await LineageRecorder.open({
        url: config.SPINE_LINEAGE_URL,
        ...(credential ? { apiKey: credential } : {}),
        dataDir: config.SPINE_DATA_DIR,
        windowMs: config.SPINE_ROUTER_LINEAGE_WINDOW_MS,
        routes,
        sinks,
        sourceDataset: (sourceId, table) =>
          sourceDataset(
            config,
            routes.sources.find((s) => s.id === sourceId) as (typeof routes.sources)[number],
            table,
          ),
        log: log.child({ component: 'lineage' }),
        registry: promRegistry,
      })
    : null;
  const router = new ChangeRouter({
    routes,
    registry,
    decisions,
    hashKey: await loadHashKey(config, log.child({ component: 'hash-key' })),
    sourceDataset: (source, table) => sourceDataset(config, source, table),
  });
  const delivery = new Delivery({
    router,
    sinks,
    deadLetters,
    ...(config.SPINE_ROUTER_MODE === 'kafka' && bus
      ? { deadLetterTopic: { bus, topic: routes.deadLetter.topic } }
      : {}),
    metrics,
    log: log.child({ component: 'delivery' }),
    onDelivered: (plan, writes, deadLettered) => {
      lineage?.record(plan, writes);
      deps.onDelivered?.(plan, writes, deadLettered);
    },
  });
  const replayer = new Replayer(deadLetters, delivery, metrics);
  const expiry = new SinkExpiry({
    sinks: expiring,
    intervalMs: config.SPINE_ROUTER_TTL_SWEEP_MS,
    metrics,
    log: log.child({ component: 'expiry' }),
  });
  const runtime = new CdcRuntime({
    mode: config.SPINE_ROUTER_MODE,
    router,
    delivery,
    decisions,
    metrics,
    log: log.child({ component: 'runtime' }),
    policyPollMs: config.SPINE_ROUTER_POLICY_POLL_MS,
    batchSize: config.SPINE_ROUTER_BATCH_SIZE,
    batchWaitMs: config.SPINE_ROUTER_BATCH_WAIT_MS,
    groupId: config.SPINE_ROUTER_GROUP_ID,
    topicPartitions: config.SPINE_ROUTER_TOPIC_PARTITIONS,
    expiry,
    ...(bus ? { bus } : {}),
    captureFor:
      deps.captureFor ??
      ((source) => {
        const url = sourceUrl(config, source);
        if (!url) throw new ConfigInvalid(`source ${source.id}: no connection for embedded capture`);
        if (!source.tables) throw new ConfigInvalid(`source ${source.id}: embedded capture needs "tables"`);
        const slot = source.slot ?? `spine_${source.id.replaceAll('-', '_')}`;
        const capture = createCapture(
          {
            connectionString: url,
            topicPrefix: source.topicPrefix,
            tables: source.tables,
            slotName: slot,
            publicationName: slot,
            batchMaxChanges: config.SPINE_ROUTER_BATCH_SIZE,
            batchMaxWaitMs: config.SPINE_ROUTER_BATCH_WAIT_MS,
          },
          log.child({ component: 'capture', source: source.id }),
        );
        return { capture, slot };
      }),
  });

  const app = await createApp({
    service: 'cdc-router',
    version: '0.1.0',
    description:
      'Routes change events through contracts and the residency gate into sinks; dead letters and replay.',
    logger: log,
    bodyLimitBytes: config.SPINE_BODY_LIMIT_BYTES,
    credentials: deps.credentials ?? adminStore,
    readsRequireAuth: config.SPINE_READS_REQUIRE_AUTH,
    metricsRegistry: promRegistry,
    readiness: [
      { name: 'residency-gate', check: async (signal) => void (await decisions.refreshPolicy(signal)) },
      { name: 'schema-registry', check: (signal) => registry.ping(signal) },
      { name: 'dead-letters', check: () => deadLetters.ping() },
      // A consumer that stopped on an error it cannot retry: data no longer moves, so not ready.
      { name: 'pipeline', check: async () => runtime.check() },
      ...[...sinks.values()].map((s) => ({
        name: `sink:${s.id}`,
        check: (signal: AbortSignal) => s.ping(signal),
      })),
    ],
    closeDependencies: async () => {
      await runtime.stop();
      await lineage
        ?.close()
        .catch((err: unknown) => log.warn({ err }, 'lineage emitter did not close cleanly'));
      for (const s of sinks.values()) await s.close().catch(() => {});
      await deadLetters.close().catch(() => {});
      await bus?.close().catch(() => {});
    },
  });
  app.decorate('cdc', { runtime, delivery, decisions, registry, routes, lineage, expiry });
  app.get(
    '/v1/routes',
    {
      config: { openapi: { summary: 'The routes the router runs (from the routes file)', tags: ['routes'] } },
    },
    async () => ({
      sources: routes.sources.map((s) => ({
        id: s.id,
        region: s.region,
        database: s.database,
        topicPrefix: s.topicPrefix,
        tables: s.tables ?? s.patterns ?? [],
      })),
      sinks: routes.sinks.map((s) => ({ id: s.id, type: s.type, region: s.region, ttl: s.ttl ?? null })),
      routes: routes.routes,
      policy_version: decisions.policyVersion,
      running: runtime.running,
    }),
  );
  dlqRoutes(app, deadLetters, replayer, routes.deadLetter.replay.ratePerSecond);
  return app;
}
