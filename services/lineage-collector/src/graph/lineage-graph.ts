import type { Facets } from '../ingest/lineage-event.ts';
import { edgeIntervals } from './edge-intervals.ts';
import { nodeKey } from './graph-model.ts';
import type {
  DatasetNode,
  Direction,
  EdgeRecord,
  Interval,
  JobNode,
  LatestRun,
  RunIo,
  SchemaVersion,
} from './graph-model.ts';

export interface DatasetState {
  id: string;
  key: string;
  namespace: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  facets: Facets;
  schemas: SchemaVersion[];
  currentVersion: string | null;
  currentVersionTime: number;
  /** Whether the batch changed more than the times (then the row is written whole). */
  dirty: boolean;
}

export interface JobState {
  id: string;
  key: string;
  namespace: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  facets: Facets;
  /** The live job's runs ordered by start, and by id: read only while staging (see `staged`). */
  runs: RunIo[];
  runIndex: Map<string, RunIo>;
  /** Runs a batch adds or changes (copies of the live ones), by id; finishJob turns them into `runsTail`. */
  staged: Map<string, RunIo>;
  /** When applied, the runs from index `runsFrom` on are replaced by `runsTail` (null: runs unchanged). */
  runsFrom: number;
  runsTail: RunIo[] | null;
  latestRunId: string | null;
  latestRunStart: number;
  latestRun: LatestRun | null;
  currentVersion: string | null;
  dirty: boolean;
}

export interface InputFieldRef {
  namespace: string;
  name: string;
  field: string;
  transformations: unknown[];
  transformationDescription: string | null;
  transformationType: string | null;
}

export interface ColumnLineageState {
  /** Event time of the facet this came from: a newer facet replaces it whole. */
  at: number;
  fields: Map<string, InputFieldRef[]>;
  /** Canonical JSON of `fields`, to tell a changed facet from a repeated one. */
  sig: string;
}

export interface ResidencyDecision {
  decisionId: string;
  decision: string;
  runId: string | null;
  at: number;
}

export interface NamespaceState {
  name: string;
  createdAt: number;
  updatedAt: number;
}

type FullDataset = DatasetNode & { currentVersionTime: number };
type FullJob = JobNode & { runIndex: Map<string, RunIo> };

/**
 * The lineage graph in memory: nodes, edges with their validity intervals, column lineage and residency
 * decisions. The tables are the durable copy; this is rebuilt from them at boot and updated after each
 * committed ingest batch (one writer), so graph queries never touch the raw events or the database.
 */
export class LineageGraph {
  readonly namespaces = new Map<string, NamespaceState>();
  readonly datasets = new Map<string, FullDataset>();
  readonly jobs = new Map<string, FullJob>();
  /** Output dataset key -> its column lineage. */
  readonly columnLineage = new Map<string, ColumnLineageState>();
  /** Output dataset key -> its column lineage over time (only where it changed), oldest first. */
  readonly columnLineageHistory = new Map<string, ColumnLineageState[]>();
  /** `<jobKey>|<datasetKey>` -> the latest recorded decision. */
  readonly decisions = new Map<string, ResidencyDecision>();
  /** Dataset key -> field -> tags from the schema registry. */
  readonly registryFieldTags = new Map<string, Map<string, string[]>>();
  /** Bumped on every change, so derived views (tags, conflicts) know when to recompute. */
  generation = 0;

  dataset(namespace: string, name: string): FullDataset | undefined {
    return this.datasets.get(nodeKey(namespace, name));
  }
  job(namespace: string, name: string): FullJob | undefined {
    return this.jobs.get(nodeKey(namespace, name));
  }

  /** A copy that staging may change without touching the live node. */
  cloneDataset(key: string): DatasetState | undefined {
    const d = this.datasets.get(key);
    if (!d) return undefined;
    return {
      id: d.id,
      key: d.key,
      namespace: d.namespace,
      name: d.name,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      facets: { ...d.facets },
      schemas: [...d.schemas],
      currentVersion: d.currentVersion,
      currentVersionTime: d.currentVersionTime,
      dirty: false,
    };
  }

  cloneJob(key: string): JobState | undefined {
    const j = this.jobs.get(key);
    if (!j) return undefined;
    return {
      id: j.id,
      key: j.key,
      namespace: j.namespace,
      name: j.name,
      createdAt: j.createdAt,
      updatedAt: j.updatedAt,
      facets: { ...j.facets },
      // Shared, not copied: staging only reads them (a copy per batch cost O(runs) per job).
      runs: j.runs,
      runIndex: j.runIndex,
      staged: new Map(),
      runsFrom: 0,
      runsTail: null,
      latestRunId: j.latestRunId,
      latestRunStart: j.latestRunStart,
      latestRun: j.latestRun ? { ...j.latestRun, states: [...j.latestRun.states] } : null,
      currentVersion: j.currentVersion,
      dirty: false,
    };
  }

  applyNamespace(ns: NamespaceState): void {
    this.namespaces.set(ns.name, ns);
  }

  applyDataset(s: DatasetState): void {
    const live = this.datasets.get(s.key);
    if (live) {
      Object.assign(live, s);
    } else {
      this.datasets.set(s.key, { ...s, producers: new Set(), consumers: new Set() });
    }
    this.generation++;
  }

  /**
   * Replaces the job's state and its runs from `runsFrom` on, and updates its edges: `changed` holds the
   * edges whose intervals changed (an empty list: the edge is gone), `null` means none did, and without it
   * every edge is computed from the runs (at load). Its datasets must exist already.
   */
  applyJob(s: JobState, changed?: Map<string, Interval[]> | null): void {
    const { staged, runsFrom, runsTail, ...state } = s;
    let live = this.jobs.get(s.key);
    if (live) Object.assign(live, state);
    else {
      live = { ...state, edges: new Map() };
      this.jobs.set(s.key, live);
    }
    const job = live;
    if (runsTail) {
      job.runs.length = runsFrom;
      for (const r of runsTail) job.runs.push(r);
      for (const r of staged.values()) job.runIndex.set(r.runId, r);
    }
    this.generation++;
    if (changed === null) return;
    if (changed === undefined) {
      changed = edgeIntervals(job.runs);
      for (const edgeKey of job.edges.keys()) if (!changed.has(edgeKey)) changed.set(edgeKey, []);
    }
    for (const [edgeKey, list] of changed) {
      const existing = job.edges.get(edgeKey);
      if (list.length === 0) {
        if (existing) {
          this.#detach(existing);
          job.edges.delete(edgeKey);
        }
        continue;
      }
      if (existing) {
        existing.intervals = list;
        continue;
      }
      const bar = edgeKey.indexOf('|');
      const direction = edgeKey.slice(0, bar) as Direction;
      const dataset = this.datasets.get(edgeKey.slice(bar + 1));
      if (!dataset) continue;
      const edge: EdgeRecord = { job, dataset, direction, intervals: list };
      job.edges.set(edgeKey, edge);
      (direction === 'in' ? dataset.consumers : dataset.producers).add(edge);
    }
  }

  /** The column lineage of a dataset in effect at `asOf` (null: now). */
  columnLineageAt(key: string, asOf: number | null): ColumnLineageState | undefined {
    if (asOf === null) return this.columnLineage.get(key);
    return this.columnLineageHistory.get(key)?.findLast((s) => s.at <= asOf);
  }

  /**
   * Records a column lineage state: in the history unless the state in effect then is the same, and as the
   * current one unless a newer one is known (events may come in any order).
   */
  applyColumnLineage(key: string, state: ColumnLineageState): void {
    const current = this.columnLineage.get(key);
    if (!current || state.at >= current.at) this.columnLineage.set(key, state);
    let history = this.columnLineageHistory.get(key);
    if (!history) {
      history = [];
      this.columnLineageHistory.set(key, history);
    }
    let i = history.length;
    while (i > 0 && history[i - 1]!.at > state.at) i--;
    const before = history[i - 1];
    if (before?.at === state.at) history[i - 1] = state;
    else if (before?.sig !== state.sig) history.splice(i, 0, state);
    this.generation++;
  }

  #detach(edge: EdgeRecord): void {
    (edge.direction === 'in' ? edge.dataset.consumers : edge.dataset.producers).delete(edge);
  }
}
