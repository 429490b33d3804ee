import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Every metric the router exports; names follow Prometheus conventions (base units, `_total`). */
export const METRIC_NAMES = {
  lag: 'spine_cdc_lag_seconds',
  events: 'spine_cdc_events_total',
  dlqDepth: 'spine_cdc_dlq_depth',
  slotLag: 'spine_cdc_slot_lag_bytes',
  gateLatency: 'spine_cdc_gate_request_seconds',
  registryLatency: 'spine_cdc_registry_request_seconds',
  sinkLatency: 'spine_cdc_sink_write_seconds',
  held: 'spine_cdc_held',
  decisionCache: 'spine_cdc_decision_cache_total',
  expiredRows: 'spine_cdc_sink_expired_rows_total',
  expiryLastSuccess: 'spine_cdc_sink_expiry_last_success_timestamp_seconds',
} as const;

const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];
const CALL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type Outcome = 'delivered' | 'dead_lettered' | 'skipped' | 'replayed';

export class RouterMetrics {
  readonly lag: Histogram<'route'>;
  readonly events: Counter<'route' | 'outcome'>;
  readonly dlqDepth: Gauge;
  readonly slotLag: Gauge<'slot'>;
  readonly gateLatency: Histogram<'outcome'>;
  readonly registryLatency: Histogram<'outcome'>;
  readonly sinkLatency: Histogram<'sink'>;
  readonly held: Gauge<'reason'>;
  readonly decisionCache: Counter<'result'>;
  readonly expiredRows: Counter<'sink' | 'table'>;
  readonly expiryLastSuccess: Gauge<'sink'>;

  constructor(registry: Registry, dlqDepth?: () => Promise<number>) {
    const registers = [registry];
    this.lag = new Histogram({
      name: METRIC_NAMES.lag,
      help: 'Sink commit time minus the source commit time (source.ts_ms) of each change, per route.',
      labelNames: ['route'],
      buckets: LAG_BUCKETS,
      registers,
    });
    this.events = new Counter({
      name: METRIC_NAMES.events,
      help: 'Change events per route by outcome (delivered, dead_lettered, skipped, replayed).',
      labelNames: ['route', 'outcome'],
      registers,
    });
    this.dlqDepth = new Gauge({
      name: METRIC_NAMES.dlqDepth,
      help: 'Dead letters not yet replayed.',
      registers,
      async collect() {
        if (dlqDepth) this.set(await dlqDepth().catch(() => Number.NaN));
      },
    });
    this.slotLag = new Gauge({
      name: METRIC_NAMES.slotLag,
      help: 'Bytes of WAL the replication slot holds that the router has not acknowledged.',
      labelNames: ['slot'],
      registers,
    });
    this.gateLatency = new Histogram({
      name: METRIC_NAMES.gateLatency,
      help: 'Residency gate decision calls as the router sees them.',
      labelNames: ['outcome'],
      buckets: CALL_BUCKETS,
      registers,
    });
    this.registryLatency = new Histogram({
      name: METRIC_NAMES.registryLatency,
      help: 'Schema registry contract lookups as the router sees them (cache misses only).',
      labelNames: ['outcome'],
      buckets: CALL_BUCKETS,
      registers,
    });
    this.sinkLatency = new Histogram({
      name: METRIC_NAMES.sinkLatency,
      help: 'Time to write and commit one batch to a sink.',
      labelNames: ['sink'],
      buckets: CALL_BUCKETS,
      registers,
    });
    this.held = new Gauge({
      name: METRIC_NAMES.held,
      help: '1 while data is held (not moving) because a dependency fails: gate, registry, sink or dlq.',
      labelNames: ['reason'],
      registers,
    });
    this.decisionCache = new Counter({
      name: METRIC_NAMES.decisionCache,
      help: 'Gate decisions served from the cache (hit) or asked for (miss).',
      labelNames: ['result'],
      registers,
    });
    this.expiredRows = new Counter({
      name: METRIC_NAMES.expiredRows,
      help: 'Sink rows deleted because their source commit is older than the sink TTL, per sink and table.',
      labelNames: ['sink', 'table'],
      registers,
    });
    this.expiryLastSuccess = new Gauge({
      name: METRIC_NAMES.expiryLastSuccess,
      help: 'When the TTL sweep of a sink last completed (Unix seconds).',
      labelNames: ['sink'],
      registers,
    });
  }
}
