/**
 * node services/cdc-router/bench/capture.bench.ts - the embedded capture alone: Postgres commits ->
 * pgoutput -> Debezium records delivered to a consumer that acknowledges every batch. Prints changes/s
 * (while writing, and draining a backlog) and the lag from source commit (`source.ts_ms`) to delivery at a
 * fixed rate. A private Postgres from the testkit, or SPINE_BENCH_PG_URL (needs wal_level=logical).
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { startPostgres } from '@data-spine/testkit';
import { createCapture } from '../src/capture/index.ts';
import type { Capture } from '../src/capture/index.ts';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TX_ROWS = 1000;
const RATE = Number(process.env.BENCH_RATE ?? 5000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);

const external = process.env.SPINE_BENCH_PG_URL;
const server = external ? null : await startPostgres();
const adminUrl = external ?? (server as { url: string }).url;
const dbName = `capture_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const db = url.toString();
const writer = new pg.Client({ connectionString: db });
await writer.connect();
// The testkit's throwaway clusters run synchronous_commit=off, which leaves a commit unflushed (and so unseen
// by the walsender) for up to wal_writer_delay (200 ms). Production's default is on; so is this writer.
await writer.query('set synchronous_commit = on');
await writer.query(`create table public.bench_order (
  id bigint primary key, customer text not null, amount numeric(12,2), status text, created_at timestamptz not null default now())`);

let nextId = 1;
async function insertTx(rows: number): Promise<void> {
  const from = nextId;
  nextId += rows;
  await writer.query(
    `insert into public.bench_order (id, customer, amount, status)
     select i, 'customer-' || (i % 977), (i % 100000) / 100.0, 'new' from generate_series($1::bigint, $2::bigint) i`,
    [from, from + rows - 1],
  );
}

function newCapture(slot: string): Capture {
  return createCapture({
    connectionString: db,
    topicPrefix: 'bench',
    tables: ['public.bench_order'],
    slotName: slot,
    publicationName: 'bench_pub',
    snapshotMode: 'never',
  });
}

/** Consumes until `count` change records arrived; returns when the last one was delivered. */
async function consume(
  capture: Capture,
  count: number,
  onRecord?: (commitMs: number, now: number) => void,
): Promise<number> {
  let seen = 0;
  while (seen < count) {
    const batch = await capture.next();
    if (!batch) throw new Error('capture ended');
    const now = Date.now();
    for (const r of batch.records) {
      if (r.kind !== 'change') continue;
      seen += 1;
      onRecord?.(r.value.source.ts_ms, now);
    }
    capture.ack(batch.lsn);
  }
  return Date.now();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(
  `machine: load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${(await import('node:os')).cpus().length} cores`,
);
console.log(`capture bench: ${CHANGES} inserted rows per run in transactions of ${TX_ROWS}, ${RUNS} runs`);

// 1. Write while capturing: first commit -> last record delivered.
const streamRates: number[] = [];
const behindWriter: number[] = [];
{
  const capture = newCapture('bench_stream');
  await capture.start();
  for (let run = 0; run < RUNS; run++) {
    const t0 = Date.now();
    const done = consume(capture, CHANGES);
    for (let i = 0; i < CHANGES / TX_ROWS; i++) await insertTx(TX_ROWS);
    const wrote = Date.now();
    const end = await done;
    streamRates.push(CHANGES / ((end - t0) / 1000));
    behindWriter.push(end - wrote);
    console.log(`  run ${run + 1}: wrote in ${wrote - t0} ms, last delivered after ${end - t0} ms`);
  }
  await capture.close();
}
console.log(
  `stream (source commit -> delivered record, writing concurrently): ${fmt(median(streamRates))} changes/s median (runs: ${streamRates.map(fmt).join(', ')}); bound by the writer: the last change was delivered ${median(behindWriter)} ms after the last commit (median)`,
);

// 2. A backlog written while no capture runs, then drained: the decode and envelope path alone.
const drainRates: number[] = [];
const cpuPerChange: number[] = [];
{
  const slot = 'bench_backlog';
  const setup = newCapture(slot);
  await setup.start();
  await setup.close();
  for (let run = 0; run < RUNS; run++) {
    for (let i = 0; i < CHANGES / TX_ROWS; i++) await insertTx(TX_ROWS);
    const capture = newCapture(slot);
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    await capture.start();
    const end = await consume(capture, CHANGES);
    const cpu = process.cpuUsage(cpu0);
    drainRates.push(CHANGES / ((end - t0) / 1000));
    cpuPerChange.push((cpu.user + cpu.system) / CHANGES);
    await capture.close();
  }
}
console.log(
  `backlog drain (decode + envelope + ack): ${fmt(median(drainRates))} changes/s median (runs: ${drainRates.map(fmt).join(', ')})`,
);
const us = median(cpuPerChange);
console.log(
  `capture CPU: ${us.toFixed(1)} µs per change median, i.e. ${fmt(1e6 / us)} changes per CPU-second of the capture process`,
);

// 3. Lag at a fixed rate: transactions of 50 rows, paced to RATE changes/s.
{
  const capture = newCapture('bench_lag');
  await capture.start();
  const lags: number[] = [];
  const total = RATE * RATE_SECONDS;
  const txRows = 50;
  const done = consume(capture, total, (commitMs, now) => lags.push(now - commitMs));
  const t0 = Date.now();
  for (let i = 0; i < total / txRows; i++) {
    const due = t0 + (i * txRows * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await insertTx(txRows);
  }
  await done;
  const achieved = total / ((Date.now() - t0) / 1000);
  lags.sort((a, b) => a - b);
  console.log(
    `lag at ${fmt(RATE)} changes/s for ${RATE_SECONDS} s (achieved ${fmt(achieved)}/s, ${lags.length} changes): p50 ${pct(lags, 50)} ms, p95 ${pct(lags, 95)} ms, p99 ${pct(lags, 99)} ms`,
  );
  console.log(`slot lag after the run: ${await capture.slotLagBytes()} bytes`);
  await capture.close();
}

await writer.end();
await admin.query(`drop database ${dbName} with (force)`);
await admin.end();
await server?.stop();
