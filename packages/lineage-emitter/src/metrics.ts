import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** Metric names, Prometheus style: base units, `_total` for counters. */
export const METRIC_NAMES = {
  spooled: 'spine_lineage_emitter_spooled_total',
  sent: 'spine_lineage_emitter_sent_total',
  retried: 'spine_lineage_emitter_retries_total',
  deadLettered: 'spine_lineage_emitter_dead_lettered_total',
  replayed: 'spine_lineage_emitter_replayed_total',
  rejected: 'spine_lineage_emitter_rejected_total',
  spoolEvents: 'spine_lineage_emitter_spool_events',
  spoolBytes: 'spine_lineage_emitter_spool_bytes',
} as const;

export type RetryReason = 'http_5xx' | 'http_429' | 'timeout' | 'network' | 'kafka' | 'file' | 'other';

/** Plain counters, always kept; `emitter.stats()` returns a copy. */
export interface EmitterStats {
  /** Events written to the spool by emit() in this process. */
  spooled: number;
  /** Events a transport acknowledged. */
  sent: number;
  /** Failed attempts that were tried again. */
  retried: number;
  deadLettered: number;
  /** Events found in the spool on open (spooled by an earlier process). */
  replayed: number;
  /** emit() calls refused: invalid, too large, spool full, closed. */
  rejected: number;
  /** Events in the spool not yet acknowledged. */
  pending: number;
  pendingBytes: number;
  retriedBy: Partial<Record<RetryReason, number>>;
}

interface PromMetrics {
  spooled: Counter<'emitter'>;
  sent: Counter<'emitter' | 'event_type'>;
  retried: Counter<'emitter' | 'reason'>;
  deadLettered: Counter<'emitter' | 'code'>;
  replayed: Counter<'emitter'>;
  rejected: Counter<'emitter' | 'code'>;
  spoolEvents: Gauge<'emitter'>;
  spoolBytes: Gauge<'emitter'>;
}

/**
 * The emitter's counters, mirrored into a prom-client Registry when one is given (the service's, from
 * service-kit's `app.metrics`). Several emitters may share one registry: series are labelled `emitter`.
 */
export class EmitterMetrics {
  readonly stats: EmitterStats = {
    spooled: 0,
    sent: 0,
    retried: 0,
    deadLettered: 0,
    replayed: 0,
    rejected: 0,
    pending: 0,
    pendingBytes: 0,
    retriedBy: {},
  };
  readonly #name: string;
  readonly #prom: PromMetrics | undefined;

  constructor(name: string, registry?: Registry) {
    this.#name = name;
    this.#prom = registry ? promMetrics(registry) : undefined;
  }

  spooled(): void {
    this.stats.spooled++;
    this.#prom?.spooled.inc({ emitter: this.#name });
  }
  sent(eventType: string): void {
    this.stats.sent++;
    this.#prom?.sent.inc({ emitter: this.#name, event_type: eventType });
  }
  retried(reason: RetryReason): void {
    this.stats.retried++;
    this.stats.retriedBy[reason] = (this.stats.retriedBy[reason] ?? 0) + 1;
    this.#prom?.retried.inc({ emitter: this.#name, reason });
  }
  deadLettered(code: string): void {
    this.stats.deadLettered++;
    this.#prom?.deadLettered.inc({ emitter: this.#name, code });
  }
  replayed(count: number): void {
    this.stats.replayed += count;
    this.#prom?.replayed.inc({ emitter: this.#name }, count);
  }
  rejected(code: string): void {
    this.stats.rejected++;
    this.#prom?.rejected.inc({ emitter: this.#name, code });
  }
  pending(events: number, bytes: number): void {
    this.stats.pending = events;
    this.stats.pendingBytes = bytes;
    this.#prom?.spoolEvents.set({ emitter: this.#name }, events);
    this.#prom?.spoolBytes.set({ emitter: this.#name }, bytes);
  }
}

function promMetrics(registry: Registry): PromMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string): Gauge<'emitter'> =>
    (registry.getSingleMetric(name) as Gauge<'emitter'> | undefined) ??
    new Gauge({ name, help, labelNames: ['emitter'], registers: [registry] });
  return {
    spooled: counter(METRIC_NAMES.spooled, 'OpenLineage events written to the spool.', ['emitter']),
    sent: counter(METRIC_NAMES.sent, 'OpenLineage events the transport acknowledged.', [
      'emitter',
      'event_type',
    ]),
    retried: counter(METRIC_NAMES.retried, 'Failed delivery attempts that were retried, by reason.', [
      'emitter',
      'reason',
    ]),
    deadLettered: counter(
      METRIC_NAMES.deadLettered,
      'Events written to the dead-letter file, by error code.',
      ['emitter', 'code'],
    ),
    replayed: counter(METRIC_NAMES.replayed, 'Events found in the spool at start and replayed.', ['emitter']),
    rejected: counter(METRIC_NAMES.rejected, 'emit() calls refused, by error code.', ['emitter', 'code']),
    spoolEvents: gauge(METRIC_NAMES.spoolEvents, 'Events in the spool not yet acknowledged.'),
    spoolBytes: gauge(METRIC_NAMES.spoolBytes, 'Bytes of events in the spool not yet acknowledged.'),
  };
}
