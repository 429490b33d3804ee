/**
 * A fixed-rate (open-loop) HTTP load: request i is due at start + i/rate, whatever happened to the ones
 * before, and its latency runs from when it was due, not from when it was sent - so a stall of the server,
 * or of this generator, counts against every request it delayed (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send back to back until its share of the
 * second is used up, then pauses until the next second, so "1,000 req/s" is a saturating burst at the top
 * of each second; and it corrects for coordinated omission with an expected interval of 1 ms whatever the
 * rate. Both make its p99 a figure of the generator, not of the server.
 *
 * Why raw sockets rather than `http.request`: the generator shares the machine's two cores with the gate
 * and Postgres, and Node's HTTP client spent about 0.19 ms of CPU per request (an agent, a parser, two
 * streams and their events), as much as Postgres spends committing the decision's audit record. Here a
 * request is one prebuilt buffer written to an idle keep-alive connection, and a response is read only as
 * far as its status line, Content-Length and body end, so the generator takes less of the CPU it measures.
 */
import net from 'node:net';

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
  /** CPU this generator used per request sent (user + system), ms. */
  cpuPerRequest: number;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** The most connections open at once: beyond, a request waits for one to free up (and that counts). */
const MAX_CONNECTIONS = 256;
const CRLF2 = Buffer.from('\r\n\r\n');

/** One request in flight on a connection: when it was due and when it was written. */
interface InFlight {
  due: number;
  at: number;
}

/**
 * A keep-alive connection that reads one response at a time: headers up to the blank line, then
 * Content-Length bytes of body, then calls `done` with the status. A response without a Content-Length
 * (the gate always sends one) fails the connection.
 */
class Connection {
  readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  /** Body bytes still to come for the response being read; -1 while reading headers. */
  private remaining = -1;
  private status = 0;
  current: InFlight | null = null;

  constructor(
    port: number,
    onDone: (c: Connection, status: number) => void,
    onError: (c: Connection) => void,
  ) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      for (;;) {
        if (this.remaining < 0) {
          const end = this.buf.indexOf(CRLF2);
          if (end < 0) return;
          const head = this.buf.toString('latin1', 0, end);
          this.status = Number(head.slice(9, 12));
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          // The gate always sends a length; anything else is this reader's limit, so an error.
          if (!m) {
            onError(this);
            return;
          }
          this.remaining = Number(m[1]);
          this.buf = this.buf.subarray(end + 4);
        }
        if (this.buf.length < this.remaining) return;
        this.buf = this.buf.subarray(this.remaining);
        this.remaining = -1;
        onDone(this, this.status);
        if (this.buf.length === 0) return;
      }
    });
    this.socket.on('error', () => onError(this));
    this.socket.on('close', () => onError(this));
  }
}

export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const headers = {
    host: `127.0.0.1:${o.port}`,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(o.body)),
    ...o.headers,
  };
  const request = Buffer.from(
    `POST ${o.path} HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n${o.body}`,
  );
  const total = Math.round(o.rate * o.seconds);
  const latencies: number[] = [];
  const issued: number[] = [];
  const lateness: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let finished = 0;
  let allDone: () => void = () => undefined;
  const everyAnswer = new Promise<void>((resolve) => (allDone = resolve));

  const idle: Connection[] = [];
  const open = new Set<Connection>();
  /** Requests issued while every connection was busy and none could be opened, oldest first. */
  const waiting: InFlight[] = [];
  const settle = () => {
    finished++;
    if (finished === total) allDone();
  };
  const write = (c: Connection, r: InFlight) => {
    c.current = r;
    c.socket.write(request);
  };
  const onDone = (c: Connection, status: number) => {
    const r = c.current;
    // An answer to nothing asked (a server's timeout notice before it closes): the connection is done.
    if (r === null) return onError(c);
    c.current = null;
    if (status >= 200 && status < 300) {
      const end = performance.now();
      latencies.push(end - r.due);
      issued.push(end - r.at);
    } else non2xx++;
    settle();
    const next = waiting.shift();
    if (next !== undefined) write(c, next);
    else idle.push(c);
  };
  const onError = (c: Connection) => {
    if (!open.delete(c)) return;
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
    if (c.current) {
      c.current = null;
      errors++;
      settle();
    }
    c.socket.destroy();
    // A request waiting for a connection gets a new one (which settles it, answered or failed).
    const next = waiting.shift();
    if (next !== undefined) write(connect(), next);
  };
  const connect = () => {
    const c = new Connection(o.port, onDone, onError);
    open.add(c);
    return c;
  };
  const send = (due: number) => {
    // Issued now: a wait for a connection below counts in `issued`, and is not the timer's lateness.
    const at = performance.now();
    lateness.push(at - due);
    const c = idle.pop() ?? (open.size < MAX_CONNECTIONS ? connect() : null);
    if (c) write(c, { due, at });
    else waiting.push({ due, at });
  };
  // Connections opened before the clock starts, as a client that has been running holds them.
  for (let i = 0; i < 16; i++) idle.push(connect());
  await Promise.all(
    idle.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          c.socket.once('connect', () => resolve());
          c.socket.once('error', (err) =>
            reject(new Error(`cannot connect to 127.0.0.1:${o.port}: ${err.message}`)),
          );
        }),
    ),
  );
  if (total === 0) allDone();

  const cpu0 = process.cpuUsage();
  const start = performance.now() + 20;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    for (
      let due = start + (sent * 1000) / o.rate;
      sent < total && due <= now;
      due = start + (sent * 1000) / o.rate
    ) {
      send(due);
      sent++;
    }
    // Sleep until the next request is due (timers have ~1 ms resolution; lateness counts as latency).
    const wait = start + (sent * 1000) / o.rate - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  }
  await everyAnswer;
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const c of open) c.socket.destroy();
  for (const xs of [latencies, issued, lateness]) xs.sort((a, b) => a - b);
  return {
    sent,
    latencies,
    issued,
    lateness,
    non2xx,
    errors,
    achieved: latencies.length / elapsed,
    cpuPerRequest: (cpu.user + cpu.system) / 1000 / sent,
  };
}
