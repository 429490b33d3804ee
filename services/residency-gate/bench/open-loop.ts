/**
 * A fixed-rate (open-loop) HTTP load: request i is due at start + i/rate, whatever happened to the ones
 * before, and its latency runs from when it was due, not from when it was sent - so a stall of the server,
 * or of this generator, counts against every request it delayed (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send back to back until its share of the
 * second is used up, then pauses until the next second, so "1,000 req/s" is a saturating burst at the top
 * of each second; and it corrects for coordinated omission with an expected interval of 1 ms whatever the
 * rate. Both make its p99 a figure of the generator, not of the server.
 */
import http from 'node:http';

export interface OpenLoopOptions {
  port: number;
  path: string;
  body: string;
  rate: number;
  seconds: number;
  headers?: Record<string, string>;
}

export interface OpenLoopResult {
  sent: number;
  /** Latencies from each request's due time to its whole response, in ms, sorted. */
  latencies: number[];
  /**
   * Latencies from when each request was issued (its due time plus this generator's own timer lateness,
   * which is not the server's doing; a request waiting for a free connection still counts), ms, sorted.
   */
  issued: number[];
  /** How late this generator issued requests (timer resolution, its own pauses), ms, sorted. */
  lateness: number[];
  non2xx: number;
  errors: number;
  /** Requests per second actually completed. */
  achieved: number;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(o.body)),
    ...o.headers,
  };
  const total = Math.round(o.rate * o.seconds);
  const latencies: number[] = [];
  const issued: number[] = [];
  const lateness: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const at = performance.now();
      lateness.push(at - due);
      const req = http.request(
        { host: '127.0.0.1', port: o.port, path: o.path, method: 'POST', agent, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
              const end = performance.now();
              latencies.push(end - due);
              issued.push(end - at);
            } else non2xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(o.body);
    });
  const start = performance.now() + 20;
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    for (
      let due = start + (sent * 1000) / o.rate;
      sent < total && due <= now;
      due = start + (sent * 1000) / o.rate
    ) {
      pending.push(send(due));
      sent++;
    }
    // Sleep until the next request is due (timers have ~1 ms resolution; lateness counts as latency).
    const wait = start + (sent * 1000) / o.rate - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  for (const xs of [latencies, issued, lateness]) xs.sort((a, b) => a - b);
  return { sent, latencies, issued, lateness, non2xx, errors, achieved: latencies.length / elapsed };
}
