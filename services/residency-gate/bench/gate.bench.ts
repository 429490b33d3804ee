/**
 * pnpm bench:gate - the figures issue #4 sets floors for:
 *  - in-process decisions/s on a warm policy (>= 500,000/s);
 *  - HTTP single-decision p99 at a fixed 1,000 req/s (<= 5 ms), the gate as a real process (node src/server.ts),
 *    from an open-loop generator (open-loop.ts: requests due every millisecond, latency from the due time,
 *    raw keep-alive sockets so the generator takes little of the CPU it shares with the gate);
 *  - time for a batch of 1,000 routes over HTTP, audit included (<= 20 ms): from the request sent to the
 *    last byte of the answer, and to the answer parsed;
 * The HTTP load comes from a process of its own (load-process.ts), so this one's heap does not pause it.
 *  - audit appends/s into Postgres with group commit (>= 5,000/s).
 * Postgres is a private cluster with durability on (fsync, synchronous_commit): an append is counted only
 * once committed. Every figure is the median of several runs; the runs are printed too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { percentile } from './open-loop.ts';
import { runLoad } from './load-process.ts';
import { createLogger } from '@data-spine/service-kit';
import { freePort, startPostgres } from '@data-spine/testkit';
import { AuditLog } from '../src/audit/audit-log.ts';
import type { AuditEntry } from '../src/audit/audit-record.ts';
import { AuditStore } from '../src/audit/audit-store.ts';
import { generateSigningKey } from '../src/audit/signing-key.ts';
import { sha256 } from '../src/audit/audit-record.ts';
import { canonicalAuditInput } from '../src/audit/record-json.ts';
import { SAMPLE_MATRIX } from '../src/config.ts';
import { compilePolicy } from '../src/evaluator/compile-policy.ts';
import { evaluate, evaluateUncached } from '../src/evaluator/evaluate.ts';
import type { EvaluationInput } from '../src/evaluator/evaluate.ts';
import { parseMatrix } from '../src/matrix/load-matrix.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- inputs: the demo's routes, PII, PCI and untagged fields, to every sink ----
const SINKS = [
  ['analytics-eu', 'eu-west-1'],
  ['analytics-us', 'us-east-1'],
  ['analytics-apac', 'ap-southeast-1'],
] as const;
function inputs(n: number): EvaluationInput[] {
  return Array.from({ length: n }, (_, i) => {
    const [id, region] = SINKS[i % SINKS.length] as readonly [string, string];
    return {
      route: {
        source: {
          dataset: `postgres://oltp:5432/shop.public.t${i % 50}`,
          region: i % 2 ? 'eu-west-1' : 'eu-central-1',
        },
        sink: { id, region },
        purpose: i % 5 ? 'analytics' : 'support',
      },
      classification: ['internal', 'confidential', 'public'][i % 3] as string,
      fields: [
        { name: 'id', tags: [] },
        { name: 'email', tags: ['pii'] },
        { name: 'name', tags: ['pii'] },
        { name: 'status', tags: [] },
        ...(i % 7 === 0 ? [{ name: 'card', tags: ['pci'] }] : []),
      ],
    };
  });
}

// ---- 1. in process ----
const policy = compilePolicy(parseMatrix(readFileSync(SAMPLE_MATRIX, 'utf8'), 'sample'));
const warm = inputs(300);
const cpuPerSecond: Record<string, number[]> = { memo: [], uncached: [] };
/** Decisions per wall-clock second; per CPU-second of this process is kept too (the machine is shared). */
function rate(fn: (x: EvaluationInput) => unknown, ms: number, kind?: 'memo' | 'uncached'): number {
  let n = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() < end) {
    for (let i = 0; i < warm.length; i++) fn(warm[i] as EvaluationInput);
    n += warm.length;
  }
  const c = process.cpuUsage(c0);
  if (kind) cpuPerSecond[kind]?.push(n / ((c.user + c.system) / 1e6));
  return n / ((performance.now() - t0) / 1000);
}
rate((x) => evaluate(policy, x), 300);
rate((x) => evaluateUncached(policy, x), 300);
const warmRates: number[] = [];
const uncachedRates: number[] = [];
for (let r = 0; r < RUNS; r++) {
  warmRates.push(rate((x) => evaluate(policy, x), 1000, 'memo'));
  uncachedRates.push(rate((x) => evaluateUncached(policy, x), 1000, 'uncached'));
}

// ---- Postgres (durable) and the gate as a process ----
const pgDir = mkdtempSync(join(tmpdir(), 'gate-bench-pg-'));
const dataDir = mkdtempSync(join(tmpdir(), 'gate-bench-'));
const pgServer = await startPostgres({ dataDir: join(pgDir, 'data'), persistent: true });
/**
 * Steady state: a database that has been running reuses its WAL segment files; a fresh cluster creates
 * and zero-fills each 16 MB segment the first time it is needed, a stall of its own every few seconds at
 * this load. So 400 MB of WAL are written and checkpointed first, and the segments are there to recycle.
 */
async function warmWal(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`create table wal_warmup as select repeat('x', 1000) as x from generate_series(1, 400000)`);
    await c.query('drop table wal_warmup');
    await c.query('checkpoint');
    await c.query('checkpoint');
    const r = await c.query<{ n: string }>(`select count(*) as n from pg_ls_waldir()`);
    return Number(r.rows[0]?.n);
  } finally {
    await c.end();
  }
}
const walSegments = await warmWal(await pgServer.createDatabase('wal_warmup'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
writeFileSync(join(dataDir, 'admin-key'), 'bench:bench-secret\n', { mode: 0o600 });
const server = spawn(process.execPath, [join(import.meta.dirname, '../src/server.ts')], {
  env: {
    ...process.env,
    SPINE_GATE_PORT: String(port),
    SPINE_DATABASE_URL: await pgServer.createDatabase('gate_bench'),
    SPINE_DATA_DIR: dataDir,
    SPINE_ADMIN_KEY_FILE: join(dataDir, 'admin-key'),
    SPINE_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

try {
  for (let i = 0; ; i++) {
    if (i > 300) throw new Error('gate not ready');
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const single = JSON.stringify(warm[1]);
  // Warm the connection pool, the JIT and the memo.
  await autocannon({
    url: `${url}/v1/decisions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: single,
    connections: 10,
    duration: 2,
  });

  // ---- 2. HTTP single decision at a fixed 1,000 req/s (open loop: see open-loop.ts) ----
  const p99s: number[] = [];
  const p50s: number[] = [];
  const issuedP99s: number[] = [];
  const lateP50s: number[] = [];
  const achieved: number[] = [];
  const generatorCpu: number[] = [];
  let non2xx = 0;
  for (let r = 0; r < Math.max(RUNS, 3); r++) {
    const res = await runLoad({
      kind: 'open-loop',
      port,
      path: '/v1/decisions',
      body: single,
      rate: 1000,
      seconds: 5,
    });
    p99s.push(Number(percentile(res.latencies, 99).toFixed(2)));
    p50s.push(Number(percentile(res.latencies, 50).toFixed(2)));
    issuedP99s.push(Number(percentile(res.issued, 99).toFixed(2)));
    lateP50s.push(Number(percentile(res.lateness, 50).toFixed(2)));
    achieved.push(res.achieved);
    generatorCpu.push(res.cpuPerRequest);
    non2xx += res.non2xx + res.errors;
  }

  // ---- 3. a batch of 1,000 routes, one after another, from a client process of its own ----
  const batch = await runLoad({
    kind: 'batches',
    port,
    path: '/v1/decisions:batch',
    body: JSON.stringify({ decisions: inputs(1000) }),
    count: 50,
    warmup: 10,
    expect: 1000,
  });

  // ---- 4. audit appends/s, in process, group commit, durable ----
  const store = new AuditStore(await pgServer.createDatabase('gate_bench_audit'));
  await store.migrate();
  const audit = new AuditLog({
    store,
    key: generateSigningKey(),
    log: createLogger({ service: 'bench', level: 'silent' }),
  });
  // Entries as objects: the audit log turns them into entry lines (the decision service hands lines over).
  const result = {
    decision: 'allow_with_obligations',
    enforced: true,
    fields: [{ name: 'email', verdict: 'hash', rule: 'pii-eea-export' }],
    reason_codes: ['RESIDENCY_FIELD_HASHED'],
    shadow_decision: null,
  };
  const entry = (i: number): AuditEntry => {
    const input = { ...(warm[i % warm.length] as EvaluationInput) };
    return {
      type: 'decision',
      decision_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      timestamp: new Date().toISOString(),
      path: 'data_spine/residency/route',
      input,
      input_hash: sha256(canonicalAuditInput(input)),
      result,
      result_hash: 'sha256:' + 'b'.repeat(64),
      bundles: { residency: { revision: policy.version, digest: policy.digest } },
      requested_by: 'bench',
      req_id: String(i),
    };
  };
  const N = Number(process.env.BENCH_APPENDS ?? 30_000);
  let seq = 0;
  const appendRun = async (callers: number, group: number): Promise<number> => {
    const entries = Array.from({ length: N }, () => entry(seq++));
    const t = performance.now();
    let next = 0;
    // `callers` concurrent callers, each appending `group` records at a time and waiting for the commit.
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (next < N) {
          const chunk = entries.slice(next, next + group);
          next += group;
          await audit.append(chunk);
        }
      }),
    );
    return N / ((performance.now() - t) / 1000);
  };
  const appendRates: number[] = [];
  const groupedRates: number[] = [];
  for (let r = 0; r < 3; r++) appendRates.push(await appendRun(200, 1));
  for (let r = 0; r < 3; r++) groupedRates.push(await appendRun(20, 100));
  const stored = await store.maxSeq();
  await audit.close();
  await store.close();

  console.log(
    `residency-gate benchmark (median of runs; Postgres ${pgServer.port} with fsync and synchronous_commit on, ${walSegments} WAL segments to recycle; load generator on this machine; ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  console.log(
    `in-process decisions/s, warm policy (memoized decisions): ${fmt(median(warmRates))} /s  [runs: ${warmRates.map(fmt).join(', ')}; per CPU-second of this process: ${fmt(median(cpuPerSecond.memo ?? []))}]  floor 500,000`,
  );
  console.log(
    `in-process evaluations/s, warm tables, memo bypassed: ${fmt(median(uncachedRates))} /s  [runs: ${uncachedRates.map(fmt).join(', ')}; per CPU-second: ${fmt(median(cpuPerSecond.uncached ?? []))}]`,
  );
  console.log(
    `HTTP single decision at a fixed 1,000 req/s (open loop, 5 s a run, audit committed before each answer): p99 ${median(p99s)} ms, p50 ${median(p50s)} ms, latency from each request's due time  [p99 of runs: ${p99s.join(', ')} ms; achieved ${achieved.map(fmt).join(', ')} req/s; non-2xx+errors ${non2xx}]  floor 5 ms`,
  );
  console.log(
    `  the same from when each request was issued (the generator's timer fires a median ${median(lateP50s)} ms late; it uses ${median(generatorCpu).toFixed(3)} ms of CPU a request): p99 ${median(issuedP99s)} ms  [runs: ${issuedP99s.join(', ')} ms]`,
  );
  console.log(
    `HTTP batch of 1,000 routes (audit committed; 323 kB in, 1.2 MB out; ${batch.answered.length} batches one after another): answered (request sent to last byte received) median ${median(batch.answered).toFixed(1)} ms, p95 ${pct(batch.answered, 95).toFixed(1)} ms; parsed by the client too: median ${median(batch.parsed).toFixed(1)} ms; of which the server (Server-Timing total) median ${median(batch.server).toFixed(1)} ms  floor 20 ms`,
  );
  console.log(
    `audit appends/s (group commit, 200 concurrent appenders of one record each, ${fmt(N)} per run, durable): ${fmt(median(appendRates))} /s  [runs: ${appendRates.map(fmt).join(', ')}; ${fmt(stored)} records stored in all runs, none lost: ${stored === N * 6}]  floor 5,000`,
  );
  console.log(
    `audit appends/s, records arriving 100 at a time (as batch decisions append them; 20 concurrent callers): ${fmt(median(groupedRates))} /s  [runs: ${groupedRates.map(fmt).join(', ')}]`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await pgServer.stop();
  rmSync(pgDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}
