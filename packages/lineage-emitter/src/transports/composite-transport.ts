import { isRetriable, LineageEmitterError, retryAfterOf } from '../errors.ts';
import type { Delivery, Transport } from './transport.ts';

export interface CompositeTransportOptions {
  /** Children, in order (a record's keys name them in errors). */
  transports: readonly Transport[] | Readonly<Record<string, Transport>>;
  /**
   * As in the Python client (default true): a failing child does not stop the others, and the event counts
   * as delivered if at least one child took it. False: the first failure fails the event.
   */
  continueOnFailure?: boolean;
  /** Default true: send to every child. False: stop at the first child that took the event. */
  continueOnSuccess?: boolean;
}

export interface ChildFailure {
  transport: string;
  error: unknown;
}

/**
 * Fans one event out to several transports with the Python client's CompositeTransport semantics. When it
 * fails, the error is retriable if any child's failure was, and carries the longest Retry-After among them;
 * a retry sends to every child again (at-least-once: a child that already took the event sees it twice).
 */
export class CompositeTransport implements Transport {
  readonly kind = 'composite';
  readonly #children: { name: string; transport: Transport }[];
  readonly #continueOnFailure: boolean;
  readonly #continueOnSuccess: boolean;
  /** Failures ignored because another child succeeded (continueOnFailure); for logs and tests. */
  onChildFailure: ((failure: ChildFailure) => void) | undefined;

  constructor(options: CompositeTransportOptions) {
    const entries = Array.isArray(options.transports)
      ? (options.transports as readonly Transport[]).map((t, i) => ({ name: `${i}:${t.kind}`, transport: t }))
      : Object.entries(options.transports as Record<string, Transport>).map(([name, transport]) => ({
          name,
          transport,
        }));
    if (entries.length === 0)
      throw new LineageEmitterError(
        'LIN_EMITTER_INVALID_OPTIONS',
        'composite transport needs at least one transport',
      );
    this.#children = entries;
    this.#continueOnFailure = options.continueOnFailure ?? true;
    this.#continueOnSuccess = options.continueOnSuccess ?? true;
  }

  async send(delivery: Delivery, signal: AbortSignal): Promise<void> {
    const failures: ChildFailure[] = [];
    let succeeded = 0;
    for (const { name, transport } of this.#children) {
      try {
        await transport.send(delivery, signal);
        succeeded++;
        if (!this.#continueOnSuccess) break;
      } catch (error) {
        failures.push({ transport: name, error });
        if (!this.#continueOnFailure) throw compositeError(failures, `transport ${name} failed`);
      }
    }
    if (succeeded === 0) throw compositeError(failures, 'no transport took the event');
    for (const failure of failures) this.onChildFailure?.(failure);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.#children.map((c) => c.transport.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

function compositeError(failures: ChildFailure[], what: string): LineageEmitterError {
  const retryAfters = failures
    .map((f) => retryAfterOf(f.error))
    .filter((ms): ms is number => ms !== undefined);
  const detail = failures
    .map((f) => `${f.transport}: ${(f.error as Error).message ?? String(f.error)}`)
    .join('; ');
  return new LineageEmitterError('LIN_EMITTER_COMPOSITE', `composite: ${what} (${detail})`, {
    cause: new AggregateError(
      failures.map((f) => f.error),
      detail,
    ),
    retriable: failures.some((f) => isRetriable(f.error)),
    ...(retryAfters.length > 0 ? { retryAfterMs: Math.max(...retryAfters) } : {}),
  });
}
