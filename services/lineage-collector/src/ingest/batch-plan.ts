import type { Field, Interval, RunIo } from '../graph/graph-model.ts';
import { nodeKey } from '../graph/graph-model.ts';
import type {
  ColumnLineageState,
  DatasetState,
  InputFieldRef,
  JobState,
  LineageGraph,
  NamespaceState,
  ResidencyDecision,
} from '../graph/lineage-graph.ts';
import { canonicalJson, stableUuid } from './canonical-json.ts';
import { mergeFacets } from './facet-merge.ts';
import { finishJob } from './finish-job.ts';
import { datasetId, jobId } from './node-ids.ts';
import type { DatasetInEvent, Facets, LineageEvent } from './lineage-event.ts';
import { schemaFields } from './schema-fields.ts';
import { isJobEventRun, jobEventRunId } from '../graph/job-event-run.ts';

export interface DatasetVersionRow {
  id: string;
  datasetId: string;
  createdAt: number;
  runId: string | null;
  fields: Field[];
  facets: Facets;
}

export interface RunRow {
  runId: string;
  jobId: string;
  /** `job-event` rows hold a JobEvent's inputs and outputs at its time; they are not listed as runs. */
  kind: 'run' | 'job-event';
  /** This batch's state events of the run. */
  states: Array<{ type: string; time: string }>;
  /** `in|<datasetId>`, `out|<datasetId>`. */
  io: Set<string>;
  first: number;
  last: number;
  facets: Facets;
  nominalStart: number | null;
  nominalEnd: number | null;
  jobVersion: string | null;
}

export interface EdgeRow {
  jobId: string;
  datasetId: string;
  direction: string;
  from: number;
  to: number | null;
}

export interface ColumnLineageRow {
  datasetId: string;
  field: string;
  input: InputFieldRef;
  at: number;
}

/** Everything one committed batch changes: the rows to write, and the graph state to apply after commit. */
export interface BatchPlan {
  namespaces: Map<string, NamespaceState>;
  datasets: Map<string, DatasetState>;
  versions: Map<string, DatasetVersionRow>;
  jobs: Map<string, JobState>;
  jobVersions: Map<
    string,
    { id: string; jobId: string; createdAt: number; inputs: string[]; outputs: string[] }
  >;
  runs: Map<string, RunRow>;
  /** The edges whose intervals changed: their rows are replaced by `rows` (none: the edge is gone). */
  edges: Array<{ jobId: string; datasetId: string; direction: string; rows: EdgeRow[] }>;
  /** Output dataset key -> its replacing column lineage (and the dataset id, for the rows). */
  columnLineage: Map<string, { datasetId: string; state: ColumnLineageState }>;
  /** Every column lineage facet of the batch that changes the dataset's history (at its event time). */
  columnLineageHistory: Array<{ key: string; datasetId: string; state: ColumnLineageState }>;
  decisions: Map<string, { jobId: string; datasetId: string; decision: ResidencyDecision }>;
  /** Job key -> the changed edges' intervals after the batch (null: none changed), for applying the plan. */
  intervals: Map<string, Map<string, Interval[]> | null>;
  /** Keys of the datasets and jobs whose rows this batch writes whole; the others only get times updated. */
  written: Set<string>;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const time = (v: unknown): number | null =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null;

/** Derives a batch of new (not yet stored) events, oldest first, against the live graph, changing nothing. */
export function planBatch(graph: LineageGraph, events: readonly LineageEvent[]): BatchPlan {
  const plan: BatchPlan = {
    namespaces: new Map(),
    datasets: new Map(),
    versions: new Map(),
    jobs: new Map(),
    jobVersions: new Map(),
    runs: new Map(),
    edges: [],
    columnLineage: new Map(),
    columnLineageHistory: [],
    decisions: new Map(),
    intervals: new Map(),
    written: new Set(),
  };
  const sorted = [...events].sort((a, b) => a.eventTime - b.eventTime);
  for (const e of sorted) applyEvent(graph, plan, e);
  for (const job of plan.jobs.values()) finishJob(graph, plan, job);
  // Rows whose facets, creation time and current version did not change only get their times touched.
  for (const rows of [plan.datasets, plan.jobs] as Array<Map<string, DatasetState | JobState>>) {
    for (const [key, row] of rows) if (row.dirty) plan.written.add(key);
  }
  return plan;
}

function touchNamespace(graph: LineageGraph, plan: BatchPlan, name: string, at: number): void {
  const ns = plan.namespaces.get(name) ?? {
    ...(graph.namespaces.get(name) ?? { name, createdAt: at, updatedAt: at }),
  };
  ns.createdAt = Math.min(ns.createdAt, at);
  ns.updatedAt = Math.max(ns.updatedAt, at);
  plan.namespaces.set(name, ns);
}

function stageDataset(graph: LineageGraph, plan: BatchPlan, d: DatasetInEvent, at: number): DatasetState {
  const key = nodeKey(d.namespace, d.name);
  let s = plan.datasets.get(key) ?? graph.cloneDataset(key);
  const fresh = !s;
  s ??= {
    id: datasetId(d.namespace, d.name),
    key,
    namespace: d.namespace,
    name: d.name,
    createdAt: at,
    updatedAt: at,
    facets: {},
    schemas: [],
    currentVersion: null,
    currentVersionTime: -Infinity,
    dirty: true,
  };
  if (mergeFacets(s.facets, d.facets, fresh || at >= s.updatedAt)) s.dirty = true;
  if (at < s.createdAt) s.dirty = true;
  s.createdAt = Math.min(s.createdAt, at);
  s.updatedAt = Math.max(s.updatedAt, at);
  plan.datasets.set(key, s);
  touchNamespace(graph, plan, d.namespace, at);
  return s;
}

function recordSchema(s: DatasetState, fields: Field[], versionId: string, at: number): void {
  const sig = canonicalJson(fields);
  let i = s.schemas.length;
  while (i > 0 && s.schemas[i - 1]!.from > at) i--;
  const before = s.schemas[i - 1];
  if (before && canonicalJson(before.fields) === sig) return;
  s.schemas.splice(i, 0, { from: at, versionId, fields });
}

function addVersion(
  plan: BatchPlan,
  s: DatasetState,
  d: DatasetInEvent,
  at: number,
  runId: string | null,
  salt: string,
) {
  const id = stableUuid('dataset-version', s.id, runId ?? salt);
  const fields = schemaFields(d.facets) ?? plan.versions.get(id)?.fields ?? s.schemas.at(-1)?.fields ?? [];
  const prior = plan.versions.get(id);
  plan.versions.set(id, {
    id,
    datasetId: s.id,
    createdAt: prior ? Math.min(prior.createdAt, at) : at,
    runId,
    fields,
    facets: { ...(prior?.facets ?? {}), ...d.facets },
  });
  if (schemaFields(d.facets)) recordSchema(s, fields, id, at);
  if (at >= s.currentVersionTime) {
    if (s.currentVersion !== id) s.dirty = true;
    s.currentVersion = id;
    s.currentVersionTime = at;
  }
}

/**
 * An input's schema facet records a version too (as Marquez does), so the schema as of a time is known for
 * datasets that are only ever read; only when it differs from the schema in effect then, and not made by
 * the run (`createdByRun` null).
 */
function addInputVersion(plan: BatchPlan, s: DatasetState, d: DatasetInEvent, at: number, runId: string) {
  const fields = schemaFields(d.facets);
  if (!fields) return;
  let i = s.schemas.length;
  while (i > 0 && s.schemas[i - 1]!.from > at) i--;
  const inEffect = s.schemas[i - 1];
  if (inEffect && canonicalJson(inEffect.fields) === canonicalJson(fields)) return;
  addVersion(plan, s, d, at, null, `input|${runId}`);
}

function stageJob(
  graph: LineageGraph,
  plan: BatchPlan,
  ns: string,
  name: string,
  facets: Facets,
  at: number,
): JobState {
  const key = nodeKey(ns, name);
  let s = plan.jobs.get(key) ?? graph.cloneJob(key);
  const fresh = !s;
  s ??= {
    id: jobId(ns, name),
    key,
    namespace: ns,
    name,
    createdAt: at,
    updatedAt: at,
    facets: {},
    runs: [],
    runIndex: new Map(),
    staged: new Map(),
    runsFrom: 0,
    runsTail: null,
    latestRunId: null,
    latestRunStart: -Infinity,
    latestRun: null,
    currentVersion: null,
    dirty: true,
  };
  if (mergeFacets(s.facets, facets, fresh || at >= s.updatedAt)) s.dirty = true;
  if (at < s.createdAt) s.dirty = true;
  s.createdAt = Math.min(s.createdAt, at);
  s.updatedAt = Math.max(s.updatedAt, at);
  plan.jobs.set(key, s);
  touchNamespace(graph, plan, ns, at);
  return s;
}

/** The run's io record staged for this batch: a copy of the live one, so that stays as it was. */
function stageRun(job: JobState, runId: string, at: number): RunIo {
  let run = job.staged.get(runId);
  if (!run) {
    const live = job.runIndex.get(runId);
    run = live ? { runId, start: live.start, io: new Set(live.io) } : { runId, start: at, io: new Set() };
    job.staged.set(runId, run);
  }
  if (at < run.start) run.start = at;
  if (!isJobEventRun(runId) && run.start >= job.latestRunStart) {
    job.latestRunStart = run.start;
    job.latestRunId = runId;
  }
  return run;
}

function applyEvent(graph: LineageGraph, plan: BatchPlan, e: LineageEvent): void {
  const at = e.eventTime;
  if (e.kind === 'dataset' && e.dataset) {
    const s = stageDataset(graph, plan, e.dataset, at);
    addVersion(plan, s, e.dataset, at, null, e.hash);
    return;
  }
  if (!e.job) return;
  const job = stageJob(graph, plan, e.job.namespace, e.job.name, e.job.facets, at);
  const runId = e.kind === 'run' && e.runId !== null ? e.runId : jobEventRunId(job.id, at);
  const run = stageRun(job, runId, at);
  const inputs = e.inputs.map((d) => stageDataset(graph, plan, d, at));
  const outputs = e.outputs.map((d) => stageDataset(graph, plan, d, at));
  const nominal = obj(e.runFacets.nominalTime);
  const prior = plan.runs.get(runId);
  const row: RunRow = {
    runId,
    jobId: job.id,
    kind: e.kind === 'run' ? 'run' : 'job-event',
    states: prior?.states ?? [],
    io: prior?.io ?? new Set(),
    first: prior ? Math.min(prior.first, at) : at,
    last: prior ? Math.max(prior.last, at) : at,
    facets: { ...(prior?.facets ?? {}), ...e.runFacets },
    nominalStart: time(nominal?.nominalStartTime) ?? prior?.nominalStart ?? null,
    nominalEnd: time(nominal?.nominalEndTime) ?? prior?.nominalEnd ?? null,
    jobVersion: prior?.jobVersion ?? null,
  };
  plan.runs.set(runId, row);
  inputs.forEach((d, i) => {
    run.io.add(`in|${d.key}`);
    row.io.add(`in|${d.id}`);
    addInputVersion(plan, d, e.inputs[i]!, at, runId);
  });
  e.outputs.forEach((d, i) => {
    const s = outputs[i]!;
    run.io.add(`out|${s.key}`);
    row.io.add(`out|${s.id}`);
    if (e.kind === 'run') addVersion(plan, s, d, at, runId, e.hash);
    stageColumnLineage(graph, plan, s, d, at);
  });
  if (e.kind !== 'run' || e.runId === null) return;
  const state = { type: e.eventType ?? 'OTHER', time: new Date(at).toISOString() };
  row.states.push(state);
  if (job.latestRunId === runId) {
    // A run becomes the latest only when first seen (a run's start only moves earlier), so its states
    // are all known here; the live record was copied by cloneJob.
    if (job.latestRun?.runId !== runId) job.latestRun = { runId, states: [], errorMessage: null };
    job.latestRun.states.push(state);
    const message = obj(e.runFacets.errorMessage)?.message;
    if (typeof message === 'string') job.latestRun.errorMessage = message;
  }
  stageDecision(graph, plan, job, e, outputs, at);
}

function stageColumnLineage(
  graph: LineageGraph,
  plan: BatchPlan,
  s: DatasetState,
  d: DatasetInEvent,
  at: number,
): void {
  const state = parseColumnLineage(d.facets.columnLineage, at);
  if (!state) return;
  const staged = plan.columnLineage.get(s.key)?.state;
  const current = staged ?? graph.columnLineage.get(s.key);
  if (!current || at >= current.at) plan.columnLineage.set(s.key, { datasetId: s.id, state });
  // Events of a batch come oldest first: the one staged last is the one in effect, unless this is older.
  const inEffect =
    staged && staged.at <= at ? staged : graph.columnLineageHistory.get(s.key)?.findLast((x) => x.at <= at);
  if (inEffect?.sig !== state.sig || inEffect.at === at)
    plan.columnLineageHistory.push({ key: s.key, datasetId: s.id, state });
}

/** A columnLineage dataset facet as a state at `at`; undefined when it has no fields. */
export function parseColumnLineage(facetValue: unknown, at: number): ColumnLineageState | undefined {
  const facet = obj(facetValue);
  const fields = obj(facet?.fields);
  if (!fields) return undefined;
  const state: ColumnLineageState = { at, fields: new Map(), sig: '' };
  for (const [field, spec] of Object.entries(fields)) {
    const o = obj(spec);
    if (!o || !Array.isArray(o.inputFields)) continue;
    state.fields.set(
      field,
      o.inputFields.flatMap((f: unknown) => {
        const i = obj(f);
        if (
          !i ||
          typeof i.namespace !== 'string' ||
          typeof i.name !== 'string' ||
          typeof i.field !== 'string'
        )
          return [];
        return [
          {
            namespace: i.namespace,
            name: i.name,
            field: i.field,
            transformations: Array.isArray(i.transformations) ? i.transformations : [],
            transformationDescription:
              typeof o.transformationDescription === 'string' ? o.transformationDescription : null,
            transformationType: typeof o.transformationType === 'string' ? o.transformationType : null,
          },
        ];
      }),
    );
  }
  state.sig = canonicalJson(Object.fromEntries(state.fields));
  return state;
}

/**
 * A `residencyDecision` run facet ({decision_id, decision, datasets?}) records the gate's decision for the
 * run's outputs (or only the datasets it lists); the newest decision per job and output wins.
 */
function stageDecision(
  graph: LineageGraph,
  plan: BatchPlan,
  job: JobState,
  e: LineageEvent,
  outputs: DatasetState[],
  at: number,
): void {
  const f = obj(e.runFacets.residencyDecision);
  if (!f || typeof f.decision !== 'string') return;
  const listed = Array.isArray(f.datasets)
    ? f.datasets.flatMap((d: unknown) => {
        const o = obj(d);
        return o && typeof o.namespace === 'string' && typeof o.name === 'string'
          ? [
              stageDataset(
                graph,
                plan,
                { namespace: o.namespace, name: o.name, facets: {}, ioFacets: {} },
                at,
              ),
            ]
          : [];
      })
    : outputs;
  for (const d of listed) {
    const key = `${job.key}|${d.key}`;
    const known = plan.decisions.get(key)?.decision ?? graph.decisions.get(key);
    if (known && known.at > at) continue;
    plan.decisions.set(key, {
      jobId: job.id,
      datasetId: d.id,
      decision: {
        decisionId: typeof f.decision_id === 'string' ? f.decision_id : '',
        decision: f.decision.toLowerCase(),
        runId: e.runId,
        at,
      },
    });
  }
}
