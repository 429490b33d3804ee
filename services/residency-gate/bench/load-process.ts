/**
 * The HTTP load of the gate benchmark, run as a process of its own: sharing the benchmark's heap (the
 * in-process runs, 1.2 MB answers parsed) would put its garbage collector's pauses into the latencies.
 *
 *   node load-process.ts < job.json   (a LoadJob); prints a LoadResult as JSON.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { openLoop } from './open-loop.ts';
import type { OpenLoopOptions, OpenLoopResult } from './open-loop.ts';

/** Batches sent one after another, each timed to its last byte and to its parsed answer. */
export interface BatchJob {
  port: number;
  path: string;
  body: string;
  /** Batches timed, after `warmup` untimed ones. */
  count: number;
  warmup: number;
  /** Decisions each answer must hold. */
  expect: number;
}

export interface BatchTimes {
  /** Request sent to the last byte of the answer received, ms. */
  answered: number[];
  /** ... and the answer parsed (JSON.parse) and checked, ms. */
  parsed: number[];
  /** The server's own time (Server-Timing `total`), ms. */
  server: number[];
}

export type LoadJob = ({ kind: 'open-loop' } & OpenLoopOptions) | ({ kind: 'batches' } & BatchJob);
export type LoadResult = OpenLoopResult | BatchTimes;

async function batches(o: BatchJob): Promise<BatchTimes> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: BatchTimes = { answered: [], parsed: [], server: [] };
  for (let i = 0; i < o.warmup + o.count; i++) {
    const t0 = performance.now();
    const { status, text, serverTiming, t1 } = await new Promise<{
      status: number;
      text: string;
      serverTiming: string;
      t1: number;
    }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: o.port,
          path: o.path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(o.body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              serverTiming: String(res.headers['server-timing'] ?? ''),
              t1: performance.now(),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });
    const answer = JSON.parse(text) as { decisions?: unknown[] };
    const t2 = performance.now();
    if (status !== 200 || answer.decisions?.length !== o.expect)
      throw new Error(`batch answered ${status} with ${answer.decisions?.length ?? 0} decisions`);
    if (i < o.warmup) continue;
    out.answered.push(t1 - t0);
    out.parsed.push(t2 - t0);
    const total = /total;dur=([0-9.]+)/.exec(serverTiming)?.[1];
    if (total !== undefined) out.server.push(Number(total));
  }
  agent.destroy();
  return out;
}

/** Runs a job in a new process and returns what it measured. */
export function runLoad(job: { kind: 'open-loop' } & OpenLoopOptions): Promise<OpenLoopResult>;
export function runLoad(job: { kind: 'batches' } & BatchJob): Promise<BatchTimes>;
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify(job));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the load process exited with ${code}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
  });
}

if (process.argv[1] === import.meta.filename) {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const job = JSON.parse(text) as LoadJob;
  const result = job.kind === 'open-loop' ? await openLoop(job) : await batches(job);
  process.stdout.write(JSON.stringify(result));
}
