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
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

async function runPath(path: 'embedded' | 'kafka'): Promise<void> {
  const ctx: TestContext = await useTestContext(`cdc-bench-${path}`);
  const dbs = await extraDatabases(ctx, ['sink', 'router', 'registry', 'gate']);
  const registry = await startRegistry(dbs.urls.registry as string);
  const gate = await startGate(dbs.urls.gate as string, registry.url);
  const probe: Probe = { delivered: 0, lags: [], lastCommit: 0, record: false };
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
            'max.batch.size': '8192',
            'max.queue.size': '65536',
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
            }
          probe.lastCommit = now;
        },
      },
    });
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
      await ctx.sql(
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
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(
      `cdc ${path}: sustained ${Math.round(total / seconds)} changes/s (${total} changes, source commits took ${((committed - t0) / 1000).toFixed(2)} s, last sink commit after ${seconds.toFixed(2)} s; process CPU ${((cpu.user + cpu.system) / total).toFixed(1)} µs/change (user ${(cpu.user / total).toFixed(1)}, system ${(cpu.system / total).toFixed(1)}); load average ${load})`,
    );

    // 2. Lag at a fixed rate.
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
        await ctx.sql(
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
      `cdc ${path}: lag at ${rate} changes/s for ${SECONDS} s: p50 ${pct(lags, 50)} ms, p95 ${pct(lags, 95)} ms, p99 ${pct(lags, 99)} ms (${lags.length} changes; process CPU ${((lagCpu.user + lagCpu.system) / Math.max(1, sent)).toFixed(1)} µs/change; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
  } finally {
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
