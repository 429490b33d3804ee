import type { Logger } from '@data-spine/service-kit';
import type { RouterMetrics } from '../metrics.ts';
import type { PostgresSink } from './postgres-sink.ts';

export interface SinkExpiryOptions {
  /** The Postgres sinks with a TTL. */
  sinks: readonly PostgresSink[];
  intervalMs: number;
  metrics: RouterMetrics;
  log: Logger;
}

/**
 * Enforces the sinks' retention: every `intervalMs`, each sink with a TTL deletes what outlived it. A sweep
 * that fails (the sink is down) is logged and tried at the next interval; it never holds the data path.
 */
export class SinkExpiry {
  readonly #o: SinkExpiryOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(options: SinkExpiryOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#timer || this.#o.sinks.length === 0) return;
    this.#timer = setInterval(() => void this.runOnce(), this.#o.intervalMs);
    this.#timer.unref();
    void this.runOnce();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** One sweep of every sink (a sweep still running is joined, not doubled). */
  runOnce(): Promise<void> {
    this.#running ??= this.#sweep().finally(() => (this.#running = null));
    return this.#running;
  }

  async #sweep(): Promise<void> {
    const { metrics, log } = this.#o;
    for (const sink of this.#o.sinks) {
      try {
        const expired = await sink.expire();
        for (const { table, rows } of expired) metrics.expiredRows.inc({ sink: sink.id, table }, rows);
        metrics.expiryLastSuccess.set({ sink: sink.id }, Date.now() / 1000);
        if (expired.length > 0) log.info({ sink: sink.id, ttl: sink.ttl, expired }, 'sink rows expired');
      } catch (err) {
        log.warn({ sink: sink.id, err: (err as Error).message }, 'sink expiry failed; retried next interval');
      }
    }
  }
}
