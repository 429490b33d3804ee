import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** The collector's metric names, in one place. */
export const METRIC_NAMES = {
  events: 'spine_lineage_events_total',
  flushSeconds: 'spine_lineage_flush_duration_seconds',
  flushEvents: 'spine_lineage_flush_events',
  pending: 'spine_lineage_pending_events',
  graphNodes: 'spine_lineage_graph_nodes',
} as const;

export interface LineageMetrics {
  /** result: stored | duplicate | invalid | overloaded | failed */
  events: Counter<'result'>;
  flushSeconds: Histogram;
  flushEvents: Histogram;
  pending: Gauge;
  graphNodes: Gauge<'type'>;
}

export function createLineageMetrics(registry: Registry): LineageMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: METRIC_NAMES.events,
      help: 'OpenLineage events received, by result.',
      labelNames: ['result'],
      registers,
    }),
    flushSeconds: new Histogram({
      name: METRIC_NAMES.flushSeconds,
      help: 'Duration of one ingest transaction (events, derived graph rows, commit).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    flushEvents: new Histogram({
      name: METRIC_NAMES.flushEvents,
      help: 'Events written per ingest transaction.',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500],
      registers,
    }),
    pending: new Gauge({
      name: METRIC_NAMES.pending,
      help: 'Events accepted and not yet committed.',
      registers,
    }),
    graphNodes: new Gauge({
      name: METRIC_NAMES.graphNodes,
      help: 'Nodes in the in-memory lineage graph.',
      labelNames: ['type'],
      registers,
    }),
  };
}
