/**
 * pnpm bench:cdc - the router's two paths on real infrastructure, with the real schema registry and the
 * decision contract over HTTP:
 * - embedded: Postgres (pgoutput capture in the router) -> router -> Postgres sink;
 * - kafka: Postgres -> Debezium (Kafka Connect) -> Kafka -> router -> Postgres sink.
 * For each: sustained changes/s from the first source commit to the last sink commit (a burst of
 * BENCH_CDC_CHANGES changes), and the lag (sink commit - source commit, per change) at a fixed rate of
 * BENCH_CDC_RATE changes/s for BENCH_CDC_SECONDS. Uses SPINE_TEST_STACK (a running stack's stack.json) or
 * starts its own.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { KafkaBus } from '@data-spine/bus';
import { debeziumPostgresConfig, startStack, useTestContext } from '@data-spine/testkit';
import type { Stack, TestContext } from '@data-spine/testkit';
import { extraDatabases } from '../test/support/databases.ts';
import { startGate } from '../test/support/real-gate.ts';
import { registerContract, startRegistry } from '../test/support/registry.ts';
import { startRouter } from '../test/support/router.ts';
import type { SinkOp } from '../src/sinks/sink-op.ts';

const CHANGES = Number(process.env.BENCH_CDC_CHANGES ?? 100_000);
const KAFKA_CHANGES = Number(process.env.BENCH_CDC_KAFKA_CHANGES ?? 50_000);
const RATE = Number(process.env.BENCH_CDC_RATE ?? 5_000);
const SECONDS = Number(process.env.BENCH_CDC_SECONDS ?? 10);
const PATHS = (process.env.BENCH_CDC_PATHS ?? 'embedded,kafka').split(',');
/** The deployed connector's latency settings (streaming/cdc/connect), so the bench measures what runs. */
const DEPLOYED = JSON.parse(
  readFileSync(new URL('../../../streaming/cdc/connect/shop-connector.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const DEPLOYED_TUNING = Object.fromEntries(
  Object.entries(DEPLOYED).filter(
    ([k]) =>
      ['poll.interval.ms', 'max.batch.size', 'max.queue.size'].includes(k) ||
      k.startsWith('producer.override.'),
  ),
);
/** More connector settings to try, as JSON (e.g. '{"poll.interval.ms":"500"}'). */
const CONNECTOR_EXTRA = JSON.parse(process.env.BENCH_CDC_CONNECTOR_EXTRA ?? '{}') as Record<string, string>;
/**
 * The load's commits wait for their WAL flush, as on any Postgres with its default synchronous_commit=on.
 * The test clusters run with it off for speed; then a commit reaches logical decoding only when the WAL
 * writer flushes (every 200 ms), which the bench would count as lag the router never had.
 * BENCH_CDC_SYNC_COMMIT=off measures that way anyway.
 */
const SYNC_COMMIT = process.env.BENCH_CDC_SYNC_COMMIT === 'off' ? 'off' : 'on';
/** Kafka path: a second consumer group taps the table topic to time each stage of a change's way. */
const STAGES = process.env.BENCH_CDC_STAGES === '1';

let stack: Stack | undefined;
if (!process.env.SPINE_TEST_STACK?.endsWith('.json')) {
  stack = await startStack({
    kafka: PATHS.includes('kafka'),
    connect: PATHS.includes('kafka'),
    dir: mkdtempSync(join(tmpdir(), 'cdc-bench-')),
  });
  process.env.SPINE_TEST_STACK = stack.manifestFile;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Probe {
  delivered: number;
  lags: number[];
  lastCommit: number;
  record: boolean;
  /** id -> sink commit time (stage timing only). */
  commits: Map<number, number>;
}

/** When a change reached each stage (ms since the epoch), as the tap consumer saw it. */
interface Stages {
  pgCommit: number;
  debezium: number;
  kafka: number;
  fetched: number;
}

function printStages(stages: ReadonlyMap<number, Stages>, commits: ReadonlyMap<number, number>): void {
  const spans: Record<string, number[]> = {
    'pg commit -> debezium': [],
    'debezium -> kafka append': [],
    'kafka append -> fetched': [],
    'fetched -> sink commit': [],
    'pg commit -> sink commit': [],
  };
  for (const [id, s] of stages) {
    const commit = commits.get(id);
    if (commit === undefined) continue;
    spans['pg commit -> debezium']!.push(s.debezium - s.pgCommit);
    spans['debezium -> kafka append']!.push(s.kafka - s.debezium);
    spans['kafka append -> fetched']!.push(s.fetched - s.kafka);
    spans['fetched -> sink commit']!.push(commit - s.fetched);
    spans['pg commit -> sink commit']!.push(commit - s.pgCommit);
  }
  for (const [name, v] of Object.entries(spans)) {
    v.sort((a, b) => a - b);
    console.log(
      `  stage ${name.padEnd(26)} p50 ${pct(v, 50)} ms, p95 ${pct(v, 95)} ms, p99 ${pct(v, 99)} ms (${v.length})`,
    );
  }
}

async function runPath(path: 'embedded' | 'kafka'): Promise<void> {
  const ctx: TestContext = await useTestContext(`cdc-bench-${path}`);
  const dbs = await extraDatabases(ctx, ['sink', 'router', 'registry', 'gate']);
  const registry = await startRegistry(dbs.urls.registry as string);
  const gate = await startGate(dbs.urls.gate as string, registry.url);
  const probe: Probe = { delivered: 0, lags: [], lastCommit: 0, record: false, commits: new Map() };
  const stages = new Map<number, Stages>();
  let tap: KafkaBus | undefined;
  let closeLoad: (() => Promise<void>) | undefined;
  let router: Awaited<ReturnType<typeof startRouter>> | undefined;
  try {
    await ctx.sql(
      'create table public.event (id bigint primary key, kind text, amount numeric(12,2), email text)',
    );
    await registerContract(registry.url, `${ctx.topicPrefix}.public.event`, {
      type: 'object',
      'data-spine:classification': 'internal',
      properties: {
        id: { type: 'integer', description: 'Key.' },
        kind: { type: ['null', 'string'], description: 'Kind.' },
        amount: { type: ['null', 'string'], description: 'Amount.' },
        email: { type: ['null', 'string'], description: 'Contact.', 'confluent:tags': ['PII'] },
      },
    });
    if (path === 'kafka') {
      await ctx.connect().createConnector(
        `${ctx.topicPrefix}-bench`,
        debeziumPostgresConfig({
          databaseUrl: ctx.databaseUrl,
          topicPrefix: ctx.topicPrefix,
          tables: ['public.event'],
          slotName: `${ctx.topicPrefix}_bench`,
          extra: {
            'topic.creation.default.replication.factor': '1',
            'topic.creation.default.partitions': '4',
            ...DEPLOYED_TUNING,
            ...CONNECTOR_EXTRA,
          },
        }),
      );
      await ctx.connect().waitForConnectorRunning(`${ctx.topicPrefix}-bench`);
    }
    router = await startRouter({
      mode: path,
      routesYaml: `version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: ${ctx.database}, topicPrefix: ${ctx.topicPrefix}, tables: [public.event], slot: ${ctx.topicPrefix}_emb }
sinks:
  - { id: analytics-us, type: postgres, region: us-east-1, database: analytics_us }
routes:
  - { source: shop, tables: [public.event], sink: analytics-us, purpose: analytics }
`,
      databaseUrl: dbs.urls.router as string,
      sinkUrls: { 'analytics-us': dbs.urls.sink as string },
      sourceUrls: { shop: ctx.databaseUrl },
      registryUrl: registry.url,
      gateUrl: gate.url,
      ...(path === 'kafka' ? { kafka: ctx.kafkaBootstrap(), groupId: ctx.groupId } : {}),
      extraEnv: {
        SPINE_ROUTER_BATCH_SIZE: '5000',
        SPINE_ROUTER_BATCH_WAIT_MS: '20',
        SPINE_ROUTER_TOPIC_PARTITIONS: '4',
      },
      deps: {
        onDelivered: (_plan, writes: ReadonlyMap<string, SinkOp[]>) => {
          const now = Date.now();
          for (const ops of writes.values())
            for (const op of ops) {
              probe.delivered++;
              if (probe.record && op.sourceTsMs !== null) probe.lags.push(now - op.sourceTsMs);
              if (STAGES && probe.record && op.kind === 'upsert') probe.commits.set(Number(op.key.id), now);
            }
          probe.lastCommit = now;
        },
      },
    });
    const load = new pg.Client({
      connectionString: ctx.databaseUrl,
      options: `-c synchronous_commit=${SYNC_COMMIT}`,
    });
    await load.connect();
    closeLoad = () => load.end();
    // Warm up: contracts, decisions, the sink table.
    await ctx.sql(
      `insert into public.event select g, 'warm', 1.5, 'w' || g || '@example.com' from generate_series(1, 100) g`,
    );
    for (let i = 0; probe.delivered < 100; i++) {
      if (i > 600) throw new Error(`${path}: warm-up never arrived`);
      await sleep(100);
    }
    // 1. Throughput: a burst of inserts and updates committed as fast as Postgres takes them.
    const total = path === 'embedded' ? CHANGES : KAFKA_CHANGES;
    const base = probe.delivered;
    const perTx = 5_000;
    // CPU of this process (router, capture, and the in-process registry, gate and load generator):
    // load-independent, unlike the wall-clock rate on a shared machine.
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    for (let done = 0; done < total; done += perTx) {
      const n = Math.min(perTx, total - done);
      const from = 1_000_000 + done;
      await load.query(
        `insert into public.event select g, 'burst', g % 1000 + 0.25, 'u' || g || '@example.com' from generate_series($1::bigint, $2::bigint) g`,
        [from, from + n - 1],
      );
    }
    const committed = Date.now();
    while (probe.delivered - base < total) {
      if (Date.now() - committed > 300_000)
        throw new Error(`${path}: only ${probe.delivered - base} of ${total} arrived`);
      await sleep(50);
    }
    const cpu = process.cpuUsage(cpu0);
    const seconds = (probe.lastCommit - t0) / 1000;
    const loadAvg = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(
      `cdc ${path}: sustained ${Math.round(total / seconds)} changes/s (${total} changes, source commits took ${((committed - t0) / 1000).toFixed(2)} s, last sink commit after ${seconds.toFixed(2)} s; process CPU ${((cpu.user + cpu.system) / total).toFixed(1)} µs/change (user ${(cpu.user / total).toFixed(1)}, system ${(cpu.system / total).toFixed(1)}); load average ${loadAvg})`,
    );

    // 2. Lag at a fixed rate.
    if (STAGES && path === 'kafka') {
      tap = new KafkaBus({ clientId: 'cdc-bench-tap', brokers: [ctx.kafkaBootstrap()] });
      await tap.subscribe(
        {
          groupId: `${ctx.groupId}-tap`,
          topics: [`${ctx.topicPrefix}.public.event`],
          from: 'latest',
          maxWaitMs: 20,
          maxBatchSize: 5000,
        },
        async (batch) => {
          const fetched = Date.now();
          for (const r of batch.records) {
            if (r.value === null) continue;
            const v = JSON.parse(r.value.toString('utf8')) as {
              after?: { id: number } | null;
              ts_ms: number;
              source: { ts_ms: number };
            };
            if (v.after)
              stages.set(v.after.id, {
                pgCommit: v.source.ts_ms,
                debezium: v.ts_ms,
                kafka: r.timestamp,
                fetched,
              });
          }
        },
      );
      await sleep(2_000);
    }
    probe.lags = [];
    probe.record = true;
    const tick = 50;
    const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
    const lagCpu0 = process.cpuUsage();
    const start = Date.now();
    let sent = 0;
    let next = 5_000_000;
    while (Date.now() - start < SECONDS * 1000) {
      const due = Math.floor(((Date.now() - start) / 1000) * RATE);
      if (due > sent) {
        const n = Math.min(due - sent, perTick * 4);
        await load.query(
          `insert into public.event select g, 'steady', 2.5, 's' || g || '@example.com' from generate_series($1::bigint, $2::bigint) g`,
          [next, next + n - 1],
        );
        next += n;
        sent += n;
      } else await sleep(tick / 5);
    }
    const wait = Date.now();
    while (probe.lags.length < sent && Date.now() - wait < 60_000) await sleep(50);
    const lagCpu = process.cpuUsage(lagCpu0);
    const lags = [...probe.lags].sort((a, b) => a - b);
    const rate = Math.round(sent / SECONDS);
    console.log(
      `cdc ${path}: lag at ${rate} changes/s for ${SECONDS} s (source synchronous_commit=${SYNC_COMMIT}): p50 ${pct(lags, 50)} ms, p95 ${pct(lags, 95)} ms, p99 ${pct(lags, 99)} ms (${lags.length} changes; process CPU ${((lagCpu.user + lagCpu.system) / Math.max(1, sent)).toFixed(1)} µs/change; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    if (STAGES && path === 'kafka') printStages(stages, probe.commits);
  } finally {
    await tap?.close();
    await closeLoad?.();
    await router?.app.close();
    await gate.close();
    await registry.app.close();
    await ctx[Symbol.asyncDispose]();
    await dbs.drop();
  }
}

try {
  for (const p of PATHS) await runPath(p as 'embedded' | 'kafka');
} finally {
  await stack?.stop();
}
