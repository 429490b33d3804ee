import type { Facets } from '../ingest/lineage-event.ts';

export type Direction = 'in' | 'out';

export interface Field {
  name: string;
  type: string | null;
  description: string | null;
  /** Tag keys on the field, as Marquez lists them. */
  tags: string[];
}

export interface SchemaVersion {
  /** Event time (ms) from which this schema holds. */
  from: number;
  versionId: string;
  fields: Field[];
}

export interface DatasetNode {
  id: string;
  key: string;
  namespace: string;
  name: string;
  /** Earliest and latest event time (ms) that named the dataset. */
  createdAt: number;
  updatedAt: number;
  facets: Facets;
  /** The dataset's schemas over time (only where the fields changed), oldest first. */
  schemas: SchemaVersion[];
  currentVersion: string | null;
  /** Edges by job: producers (`out` edges of jobs) and consumers (`in` edges). */
  producers: Set<EdgeRecord>;
  consumers: Set<EdgeRecord>;
}

export interface RunIo {
  runId: string;
  /** The run's first event time (ms): where its io starts to hold. */
  start: number;
  /** `in|<datasetKey>` and `out|<datasetKey>`. */
  io: Set<string>;
}

export interface JobNode {
  id: string;
  key: string;
  namespace: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  facets: Facets;
  /** Runs (and job events) with inputs or outputs, ordered by start. */
  runs: RunIo[];
  edges: Map<string, EdgeRecord>;
  latestRunId: string | null;
  latestRunStart: number;
  /** The latest run's state events and error message, so graph answers need no query for it. */
  latestRun: LatestRun | null;
  currentVersion: string | null;
}

export interface LatestRun {
  runId: string;
  states: Array<{ type: string; time: string }>;
  errorMessage: string | null;
}

export interface Interval {
  from: number;
  /** Exclusive; null while the edge still holds. */
  to: number | null;
}

export interface EdgeRecord {
  job: JobNode;
  dataset: DatasetNode;
  direction: Direction;
  intervals: Interval[];
}

export const nodeKey = (namespace: string, name: string): string => `${namespace}\u0000${name}`;

export function validAt(edge: EdgeRecord, at: number | null): boolean {
  if (at === null) return edge.intervals.some((i) => i.to === null);
  return edge.intervals.some((i) => i.from <= at && (i.to === null || at < i.to));
}
