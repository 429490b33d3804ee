import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { LineageEmitterError } from '../errors.ts';
import { parseRetryAfter } from './retry-after.ts';
import type { Delivery, Transport } from './transport.ts';

const gzipAsync = promisify(gzip);
const ERROR_BODY_BYTES = 1024;

export interface HttpTransportOptions {
  /** The collector's base URL, e.g. `http://127.0.0.1:5000`. */
  url: string;
  /** Joined to `url` (which may have a path of its own). */
  endpoint?: string;
  /** Sent as `Authorization: Bearer <apiKey>` (ours are `key:secret`). */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Per attempt: connect, send, and the whole answer. */
  timeoutMs?: number;
  compression?: 'gzip';
}

/**
 * POSTs one event as JSON to `{url}/api/v1/lineage`. 2xx is an acknowledgement; 5xx and 429 are retriable
 * and carry the server's Retry-After; other 4xx are not retriable (the event goes to the dead-letter file
 * with the status and the start of the answer); 3xx is not followed (a redirected POST may turn into a GET);
 * refused, reset and timed-out connections are retriable.
 */
export class HttpTransport implements Transport {
  readonly kind = 'http';
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #compression: 'gzip' | undefined;

  constructor(options: HttpTransportOptions) {
    const base = options.url.trim();
    if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol))
      throw new LineageEmitterError(
        'LIN_EMITTER_INVALID_OPTIONS',
        `http transport needs an http(s) url, got ${base}`,
      );
    const endpoint = (options.endpoint ?? 'api/v1/lineage').replace(/^\/+/, '');
    this.url = new URL(endpoint, base.endsWith('/') ? base : `${base}/`).toString();
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#compression = options.compression;
    this.#headers = {
      'content-type': 'application/json',
      ...options.headers,
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...(options.compression ? { 'content-encoding': options.compression } : {}),
    };
  }

  async send(delivery: Delivery, signal: AbortSignal): Promise<void> {
    const body = this.#compression === 'gzip' ? await gzipAsync(delivery.body) : delivery.body;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: this.#headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      throw this.#networkError(err, timeout.aborted);
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    const text = await readStart(response).catch(() => '');
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (status >= 300 && status < 400)
      throw new LineageEmitterError(
        'LIN_EMITTER_HTTP_REDIRECT',
        `${this.url} answered ${status} (to ${response.headers.get('location') ?? '?'}); redirects are not followed`,
        { status, body: text },
      );
    throw new LineageEmitterError('LIN_EMITTER_HTTP_STATUS', `${this.url} answered ${status}`, {
      status,
      body: text,
      retriable: status >= 500 || status === 429,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  async close(): Promise<void> {}

  #networkError(err: unknown, timedOut: boolean): LineageEmitterError {
    if (timedOut)
      return new LineageEmitterError(
        'LIN_EMITTER_TIMEOUT',
        `${this.url}: no answer within ${this.#timeoutMs} ms`,
        {
          cause: err,
        },
      );
    const cause = (err as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : (err as Error).name;
    return new LineageEmitterError('LIN_EMITTER_NETWORK', `${this.url}: ${code}`, { cause: err });
  }
}

async function readStart(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream: we never read more of an error answer than we keep.
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= ERROR_BODY_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8');
}
