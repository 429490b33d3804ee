import type { LineageConfig } from '../config.ts';
import type { LineageGraph } from '../graph/lineage-graph.ts';
import type { IngestQueue } from '../ingest/ingest-queue.ts';
import type { LineageMetrics } from '../metrics/lineage-metrics.ts';
import type { LineageStore } from '../storage/lineage-store.ts';
import type { PolicyTagIndex } from '../tags/policy-tags.ts';
import type { OpenLineageValidator } from '../validation/openlineage-validator.ts';

/** What the routes share. */
export interface LineageContext {
  config: LineageConfig;
  graph: LineageGraph;
  store: LineageStore;
  tags: PolicyTagIndex;
  queue: IngestQueue;
  validator: OpenLineageValidator;
  metrics: LineageMetrics;
}
