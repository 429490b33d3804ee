import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** How the collector answers one request. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow collector). */
  delayMs?: number;
}

export interface ReceivedRequest {
  index: number;
  at: number;
  headers: IncomingHttpHeaders;
  event: Record<string, unknown>;
  status: number;
}

export type Behaviour = (request: {
  index: number;
  event: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}) => Answer;

/**
 * A real HTTP server speaking the collector's ingest endpoint (`POST /api/v1/lineage`), whose answers a test
 * scripts: down (not started), slow, 500, 429 with Retry-After, 400. It records every attempt, and the
 * events it acknowledged in the order it acknowledged them.
 */
export class TestCollector {
  readonly requests: ReceivedRequest[] = [];
  /** Events answered with 2xx, in order. */
  readonly accepted: Record<string, unknown>[] = [];
  behaviour: Behaviour;
  readonly #server: Server;
  #port = 0;

  private constructor(behaviour: Behaviour) {
    this.behaviour = behaviour;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/api/v1/lineage') {
          res.writeHead(404).end();
          return;
        }
        let raw = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
        const event = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        const index = this.requests.length;
        const answer = this.behaviour({ index, event, headers: req.headers });
        this.requests.push({ index, at: Date.now(), headers: req.headers, event, status: answer.status });
        // Stored on receipt, answered (maybe slowly) after: a client that gave up may still have delivered.
        if (answer.status >= 200 && answer.status < 300) this.accepted.push(event);
        const reply = (): void => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(answer.body ?? '{}');
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      });
    });
  }

  static async start(behaviour: Behaviour = () => ({ status: 201 }), port = 0): Promise<TestCollector> {
    const collector = new TestCollector(behaviour);
    await new Promise<void>((resolve, reject) => {
      collector.#server.once('error', reject);
      collector.#server.listen(port, '127.0.0.1', () => resolve());
    });
    collector.#port = (collector.#server.address() as AddressInfo).port;
    return collector;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Distinct events acknowledged, by `<runId|job>:<eventType>`. */
  acceptedKeys(): string[] {
    return this.accepted.map(eventKey);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function eventKey(event: Record<string, unknown>): string {
  const run = event.run as { runId?: string } | undefined;
  const job = event.job as { name?: string } | undefined;
  return `${run?.runId ?? job?.name ?? 'dataset'}:${typeof event.eventType === 'string' ? event.eventType : 'static'}`;
}

/** A loopback port with nothing listening on it (a collector that is down). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
