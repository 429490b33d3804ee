/**
 * pnpm bench:lineage-emitter - what the durable emitter costs on this machine: emit() latency (spooled and
 * fsynced before it resolves), end-to-end throughput to a local HTTP collector (node:http answering 201),
 * and replay of a spool left by a previous process. Prints medians of 3 runs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpTransport, LineageEmitter, OpenLineage } from '../src/index.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 4_000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;

const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/packages/lineage-emitter',
});
const input = ol.dataset('postgres://oltp:5432', 'shop.public.customer', {
  schema: ol.schema(['id', 'name', 'email', 'status', 'created_at'].map((name) => ({ name, type: 'text' }))),
  tags: ol.tags([{ key: 'pii', value: 'true', field: 'email' }]),
});
const output = ol.dataset('postgres://analytics-eu:5432', 'analytics_eu.public.customer');

let received = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(201).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function events(n: number) {
  const out = [];
  for (let i = 0; i < n / 2; i++) {
    const run = ol.run({ namespace: 'bench', name: `job-${i % 50}` });
    out.push(run.start({ inputs: [input], outputs: [output] }), run.complete({ outputs: [output] }));
  }
  return out;
}

async function once(concurrency: number, fsync: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'lineage-bench-'));
  try {
    const emitter = await LineageEmitter.open({
      spoolDir: dir,
      transport: new HttpTransport({ url }),
      concurrency,
      fsync,
    });
    const batch = events(EVENTS);
    const latencies: number[] = [];
    const t0 = performance.now();
    // 16 producers emitting concurrently, as a busy service would.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < batch.length) {
          const e = batch[next++]!;
          const s = performance.now();
          await emitter.emit(e);
          latencies.push(performance.now() - s);
        }
      }),
    );
    await emitter.close({ timeoutMs: 120_000 });
    const seconds = (performance.now() - t0) / 1000;
    return { throughput: EVENTS / seconds, p50: pct(latencies, 0.5), p95: pct(latencies, 0.95) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function replay() {
  const dir = await mkdtemp(join(tmpdir(), 'lineage-bench-'));
  try {
    const down = await LineageEmitter.open({
      spoolDir: dir,
      transport: new HttpTransport({ url: 'http://127.0.0.1:1' }),
    });
    for (const e of events(EVENTS)) await down.emit(e);
    await down.close({ timeoutMs: 0 });
    const t0 = performance.now();
    const up = await LineageEmitter.open({
      spoolDir: dir,
      transport: new HttpTransport({ url }),
      concurrency: 8,
    });
    await up.close({ timeoutMs: 120_000 });
    return EVENTS / ((performance.now() - t0) / 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
for (const [concurrency, fsync] of [
  [4, true],
  [16, true],
  [16, false],
] as const) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await once(concurrency, fsync));
  console.log(
    `http, concurrency ${String(concurrency).padStart(2)}, fsync ${fsync ? 'on ' : 'off'}: ${fmt(median(runs.map((r) => r.throughput)))} events/s end to end   emit() p50 ${median(runs.map((r) => r.p50)).toFixed(2)} ms  p95 ${median(runs.map((r) => r.p95)).toFixed(2)} ms`,
  );
}
const replays = [];
for (let i = 0; i < 3; i++) replays.push(await replay());
console.log(`replay of a ${EVENTS}-event spool, concurrency 8: ${fmt(median(replays))} events/s`);
console.log(`(${EVENTS} events per run; the collector received ${received})`);
server.close();
