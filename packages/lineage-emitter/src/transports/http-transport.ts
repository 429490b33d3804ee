import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

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
    // node:http with a keep-alive agent: about twice the throughput of fetch here, and no redirects followed.
    const https = this.url.startsWith('https:');
    this.#agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.#request = https ? httpsRequest : httpRequest;
    this.#compression = options.compression;
    this.#headers = {
      'content-type': 'application/json',
      ...options.headers,
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...(options.compression ? { 'content-encoding': options.compression } : {}),
    };
  }

  async send(delivery: Delivery, signal: AbortSignal): Promise<void> {
    const body = this.#compression === 'gzip' ? await gzipAsync(delivery.body) : Buffer.from(delivery.body);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const { status, headers, text } = await new Promise<Answer>((resolve, reject) => {
      const req = this.#request(
        this.url,
        {
          method: 'POST',
          agent: this.#agent,
          headers: { ...this.#headers, 'content-length': body.byteLength },
          signal: AbortSignal.any([signal, timeout]),
        },
        (res) => {
          const code = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            // Only the start of an error answer is kept (for the dead-letter record); the rest is drained.
            if (code >= 300 && size < ERROR_BODY_BYTES) chunks.push(chunk);
            size += chunk.byteLength;
          });
          res.on('end', () =>
            resolve({
              status: code,
              headers: res.headers,
              text: Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8'),
            }),
          );
          res.on('error', (err) => reject(this.#networkError(err, timeout.aborted)));
          // A response cut short (the timeout, close(), the server going away) settles too.
          res.on('close', () => {
            if (!res.complete)
              reject(
                this.#networkError(
                  Object.assign(new Error('response cut short'), { code: 'ECONNRESET' }),
                  timeout.aborted,
                ),
              );
          });
        },
      );
      req.on('error', (err) => reject(this.#networkError(err, timeout.aborted)));
      req.end(body);
    });
    if (status >= 200 && status < 300) return;
    const retryAfterMs = parseRetryAfter(single(headers['retry-after']));
    if (status >= 300 && status < 400)
      throw new LineageEmitterError(
        'LIN_EMITTER_HTTP_REDIRECT',
        `${this.url} answered ${status} (to ${single(headers.location) ?? '?'}); redirects are not followed`,
        { status, body: text },
      );
    throw new LineageEmitterError('LIN_EMITTER_HTTP_STATUS', `${this.url} answered ${status}`, {
      status,
      body: text,
      retriable: status >= 500 || status === 429,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }

  #networkError(err: unknown, timedOut: boolean): LineageEmitterError {
    if (timedOut)
      return new LineageEmitterError(
        'LIN_EMITTER_TIMEOUT',
        `${this.url}: no answer within ${this.#timeoutMs} ms`,
        {
          cause: err,
        },
      );
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
    return new LineageEmitterError('LIN_EMITTER_NETWORK', `${this.url}: ${code}`, { cause: err });
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
