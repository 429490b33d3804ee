/**
 * pnpm bench:lineage - the collector as a real process (node src/server.ts) on a private Postgres, driven
 * over loopback from this machine (which shares the 2 cores with the server and Postgres). Prints:
 * events/s over HTTP (single events, 64 connections; batches of 100), p95 of a depth-10 lineage query on a
 * graph of 50,000 datasets and jobs, and p95 of the same query as of a past time. Each figure is the median
 * of 3 rounds.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startPostgres } from '@data-spine/testkit';

const KEY = 'bench:bench-secret';
const auth = `Bearer ${KEY}`;
const NODES = Number(process.env.BENCH_NODES ?? 50_000);
const WIDTH = 500;
const JOBS = NODES / 2;
const LAYERS = Math.ceil(JOBS / WIDTH);
const ROUNDS = 3;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const T_REWIRE = Date.parse('2026-06-01T00:00:00Z');

// BENCH_PG_STATS=1 loads pg_stat_statements and prints the top statements; BENCH_NODE_ARGS (e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the server's node; BENCH_ONLY=ingest skips the queries.
const pgStats = process.env.BENCH_PG_STATS === '1';
const pg = await startPostgres(
  pgStats
    ? {
        settings: {
          shared_preload_libraries: 'pg_stat_statements,auto_explain',
          'pg_stat_statements.track': 'all',
          // Plans of slow statements (also those inside lin_ingest) go to the server log.
          'auto_explain.log_min_duration': '30ms',
          'auto_explain.log_nested_statements': 'on',
          'auto_explain.log_analyze': 'on',
        },
      }
    : {},
);
const dir = mkdtempSync(join(tmpdir(), 'lineage-bench-'));
writeFileSync(join(dir, 'admin-key'), KEY + '\n', { mode: 0o600 });
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const databaseUrl = await pg.createDatabase('lineage_bench');
if (pgStats) await pg.query('create extension if not exists pg_stat_statements', [], 'lineage_bench');
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const server = spawn(process.execPath, [...nodeArgs, join(import.meta.dirname, '../src/server.ts')], {
  env: {
    ...process.env,
    SPINE_LINEAGE_PORT: String(port),
    SPINE_DATABASE_URL: databaseUrl,
    SPINE_ADMIN_KEY_FILE: join(dir, 'admin-key'),
    SPINE_LOG_LEVEL: 'warn',
    SPINE_LINEAGE_MAX_NODES: '10000',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

async function waitReady(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('collector not ready');
}

const ds = (layer: number, i: number) => ({
  namespace: 'postgres://bench:5432',
  name: `warehouse.l${layer}.t${i}`,
});
let runSeq = 0;
const runEvent = (job: string, time: number, inputs: object[], outputs: object[]) => ({
  eventType: 'COMPLETE',
  eventTime: new Date(time).toISOString(),
  producer: 'https://github.com/data-spine/bench',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId: `00000000-0000-4000-8000-${(runSeq++).toString(16).padStart(12, '0')}` },
  job: { namespace: 'bench', name: job },
  inputs,
  outputs,
});

/** Job j of layer k reads two datasets of layer k and writes dataset j of layer k+1. */
const graphEvent = (k: number, j: number, time: number, rewired = false) =>
  runEvent(`etl.l${k}.j${j}`, time, [ds(k, j), ds(k, (j * 7 + (rewired ? 5 : 3)) % WIDTH)], [ds(k + 1, j)]);

/** CPU seconds (user + system) of a process, from /proc (clock ticks of 10 ms); with its reaped children. */
function procCpu(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / 100;
  } catch {
    return 0;
  }
}
/** The Postgres cluster's CPU: the postmaster, its exited children (reaped) and its live children. */
function postgresCpu(): number {
  const root = pg.pid;
  if (root === undefined) return NaN;
  let total = procCpu(root, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === root) total += procCpu(Number(entry));
    } catch {
      // gone
    }
  }
  return total;
}
const cpuMark = () => ({ server: procCpu(server.pid!), postgres: postgresCpu(), client: process.cpuUsage() });
function cpuPerEvent(mark: ReturnType<typeof cpuMark>, events: number): string {
  const c = process.cpuUsage(mark.client);
  const us = (s: number) => ((s * 1e6) / events).toFixed(0);
  return `CPU per event: server ${us(procCpu(server.pid!) - mark.server)} us, postgres ${us(postgresCpu() - mark.postgres)} us, load generator ${us((c.user + c.system) / 1e6)} us`;
}
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

class Done extends Error {}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function postBatch(events: object[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(`${url}/api/v1/lineage/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(events),
    });
    if (r.status === 503 && attempt < 20) {
      await new Promise((res) => setTimeout(res, 200));
      continue;
    }
    const body = (await r.json()) as { summary?: { failed: number } };
    if (r.status !== 200 || body.summary?.failed)
      throw new Error(`batch: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
    return;
  }
}

async function ingestBatches(events: object[], size: number, concurrency: number): Promise<number> {
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) {
        const from = next;
        next += size;
        await postBatch(events.slice(from, from + size));
      }
    }),
  );
  return events.length / ((performance.now() - t) / 1000);
}

async function queryP95(
  path: (i: number) => string,
  n: number,
): Promise<{ p95: number; p50: number; nodes: number; truncated: number }> {
  const times: number[] = [];
  let nodes = 0;
  let truncated = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(`${url}${path(i)}`);
    const body = (await r.json()) as { graph: unknown[]; truncated: boolean };
    times.push(performance.now() - t);
    if (r.status !== 200)
      throw new Error(`query ${path(i)}: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
    nodes += body.graph.length;
    if (body.truncated) truncated++;
  }
  return { p95: pct(times, 95), p50: pct(times, 50), nodes: nodes / n, truncated };
}

try {
  await waitReady();
  console.log(
    `lineage-collector benchmark (Postgres ${pg.port}; load generator, server and Postgres share this machine)`,
  );

  // 1. Single events over HTTP: 64 connections, each request a new run of one of 1,000 jobs.
  console.log(`before: ${load()}`);
  const single: number[] = [];
  let n = 0;
  let singleEvents = 0;
  const singleBody = (i: number) =>
    JSON.stringify(
      runEvent(
        `single.j${i % 1000}`,
        T0 + i,
        [{ namespace: 'kafka://bench:9092', name: `in.${i % 1000}` }],
        [{ namespace: 'postgres://bench:5432', name: `single.out.${i % 1000}` }],
      ),
    );
  // Built before the rounds (5,000 events/s for 8 s each; past that, on the fly), so the load generator
  // spends its CPU on HTTP only.
  const bodies = Array.from({ length: ROUNDS * 40_000 }, (_, i) => singleBody(i));
  const singleMark = cpuMark();
  for (let round = 0; round < ROUNDS; round++) {
    const result = await autocannon({
      url,
      connections: 64,
      duration: 8,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/lineage',
          headers: { 'content-type': 'application/json', authorization: auth },
          setupRequest: (req) => {
            const i = n++;
            return { ...req, body: bodies[i] ?? singleBody(i) };
          },
        },
      ],
    });
    if (result.non2xx > 0 || result.errors > 0)
      console.log(`  round ${round + 1}: non-2xx ${result.non2xx}, errors ${result.errors}`);
    single.push(result.requests.average);
    singleEvents += result['2xx'];
    console.log(
      `  single round ${round + 1}: ${fmt(result.requests.average)} events/s, p99 ${result.latency.p99} ms`,
    );
  }
  console.log(
    `ingest, single events over HTTP (64 connections, 8 s x ${ROUNDS}): median ${fmt(median(single))} events/s`,
  );
  console.log(`  ${cpuPerEvent(singleMark, singleEvents)} (${fmt(singleEvents)} events); ${load()}`);

  // 2. Batches over HTTP: the 50,000-node graph itself, in batches of 100, 4 at a time (a third per round).
  const graphEvents: object[] = [];
  for (let k = 0; k < LAYERS; k++) {
    for (let j = 0; j < WIDTH && graphEvents.length < JOBS; j++)
      graphEvents.push(graphEvent(k, j, T0 + k * 60_000 + j));
  }
  const batch: number[] = [];
  const batchMark = cpuMark();
  const third = Math.ceil(graphEvents.length / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const rate = await ingestBatches(graphEvents.slice(round * third, (round + 1) * third), 100, 4);
    batch.push(rate);
    console.log(`  batch round ${round + 1}: ${fmt(rate)} events/s`);
  }
  console.log(`ingest, batches of 100 over HTTP (4 concurrent): median ${fmt(median(batch))} events/s`);
  console.log(
    `  ${cpuPerEvent(batchMark, graphEvents.length)} (${fmt(graphEvents.length)} events); ${load()}`,
  );

  // History for point-in-time: later runs of a fifth of the jobs read another dataset.
  const rewired: object[] = [];
  for (let k = 0; k < LAYERS; k++)
    for (let j = 0; j < WIDTH; j += 5)
      if (k * WIDTH + j < JOBS) rewired.push(graphEvent(k, j, T_REWIRE + k * 1000 + j, true));
  await ingestBatches(rewired, 100, 4);
  const stats = await (await fetch(`${url}/metrics`)).text();
  const count = (type: string) =>
    Number(
      new RegExp(`spine_lineage_graph_nodes\\{[^}]*type="${type}"[^}]*\\} (\\d+)`).exec(stats)?.[1] ?? NaN,
    );
  console.log(
    `graph: ${fmt(count('dataset'))} datasets + ${fmt(count('job'))} jobs (2,000 datasets and 1,000 jobs of them from the single-event rounds), ${fmt(rewired.length)} jobs rewired later`,
  );

  if (pgStats) {
    const top = await pg.query<{ calls: string; ms: string; query: string }>(
      `select calls, round(total_exec_time::numeric, 1) as ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query
       from pg_stat_statements order by total_exec_time desc limit 25`,
      [],
      'lineage_bench',
    );
    for (const r of top.rows) console.log(`  pg ${r.ms} ms ${r.calls} calls: ${r.query}`);
  }
  if (process.env.BENCH_ONLY === 'ingest') throw new Done();

  // 3. Depth-10 lineage from datasets in the middle layers (upstream and downstream 10 jobs each).
  const start = (i: number) => ds(10 + (i % Math.max(1, LAYERS - 20)), (i * 37) % WIDTH);
  const q = (i: number, extra = '') => {
    const d = start(i);
    return `/api/v1/lineage?nodeId=${encodeURIComponent(`dataset:${d.namespace}:${d.name}`)}&depth=10${extra}`;
  };
  for (let i = 0; i < 10; i++) await fetch(`${url}${q(i)}`); // warm up
  const now: Array<{ p95: number; p50: number; nodes: number; truncated: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await queryP95((i) => q(i + round * 100), 100);
    now.push(r);
    console.log(
      `  lineage round ${round + 1}: p95 ${r.p95.toFixed(1)} ms, p50 ${r.p50.toFixed(1)} ms, ${fmt(r.nodes)} nodes/answer, truncated ${r.truncated}`,
    );
  }
  console.log(
    `lineage depth 10 on ${fmt(count('dataset') + count('job'))} datasets+jobs: median p95 ${median(now.map((r) => r.p95)).toFixed(1)} ms`,
  );

  // 4. The same as of a time before the rewiring.
  const asOf = new Date(T_REWIRE - 1).toISOString();
  const past: typeof now = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await queryP95((i) => q(i + round * 100, `&asOf=${encodeURIComponent(asOf)}`), 100);
    past.push(r);
    console.log(
      `  asOf round ${round + 1}: p95 ${r.p95.toFixed(1)} ms, p50 ${r.p50.toFixed(1)} ms, ${fmt(r.nodes)} nodes/answer`,
    );
  }
  console.log(`lineage depth 10 asOf ${asOf}: median p95 ${median(past.map((r) => r.p95)).toFixed(1)} ms`);
} catch (err) {
  if (!(err instanceof Done)) throw err;
} finally {
  console.log(`after: ${load()}`);
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  if (pgStats) {
    copyFileSync(pg.logFile, join(tmpdir(), 'lineage-bench-postgres.log'));
    console.log(`Postgres log (auto_explain plans): ${join(tmpdir(), 'lineage-bench-postgres.log')}`);
  }
  await pg.stop();
}
