import type { DatasetNode, Field, JobNode } from '../graph/graph-model.ts';
import { validAt } from '../graph/graph-model.ts';
import { schemaFields } from '../ingest/schema-fields.ts';
import { runState } from '../storage/run-state.ts';
import type { PolicyTag, PolicyTagIndex } from '../tags/policy-tags.ts';
import { facetTags } from '../tags/policy-tags.ts';

// Graph answers format the same few thousand times over and over; toISOString is the costliest part of a node.
const isoCache = new Map<number, string>();
const iso = (ms: number | null | undefined): string | null => {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= 200_000) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
};
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The fields of the dataset as of `asOf` (its schema history), else from its current schema facet. */
export function fieldsAt(d: DatasetNode, asOf: number | null): Field[] {
  if (asOf !== null) {
    const version = d.schemas.findLast((s) => s.from <= asOf);
    return version?.fields ?? [];
  }
  return schemaFields(d.facets) ?? d.schemas.at(-1)?.fields ?? [];
}

function withFieldTags(fields: Field[], tags: PolicyTag[]): Field[] {
  return fields.map((f) => {
    const keys = new Set(f.tags);
    for (const t of tags) if (t.field === f.name) keys.add(t.key);
    return { ...f, tags: [...keys] };
  });
}

/** Marquez's DatasetData (as lineage nodes carry it), plus our region and policy tags. */
export function datasetData(d: DatasetNode, tagIndex: PolicyTagIndex, asOf: number | null = null) {
  const policyTags = tagIndex.tagsOf(d);
  const datasetTags = [...new Set(policyTags.filter((t) => t.field === null).map((t) => t.key))];
  return {
    id: { namespace: d.namespace, name: d.name },
    type: d.namespace.startsWith('kafka://') ? 'STREAM' : 'DB_TABLE',
    name: d.name,
    physicalName: d.name,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    namespace: d.namespace,
    sourceName: str(obj(d.facets.dataSource)?.name) ?? d.namespace,
    fields: withFieldTags(fieldsAt(d, asOf), policyTags),
    tags: datasetTags,
    lastModifiedAt: iso(d.updatedAt),
    lastLifecycleState: str(obj(d.facets.lifecycleStateChange)?.lifecycleStateChange),
    description: str(obj(d.facets.documentation)?.description),
    currentVersion: d.currentVersion,
    region: tagIndex.regionOf(d),
    policyTags,
  };
}

/** Marquez's Dataset: DatasetData plus the facets. */
export function dataset(d: DatasetNode, tagIndex: PolicyTagIndex) {
  return { ...datasetData(d, tagIndex), facets: d.facets, deleted: false };
}

/** The columns `run` reads, from `lin_runs r join lin_jobs j on j.id = r.job_id`. */
export const RUN_COLUMNS = `r.run_id, r.created_at, r.updated_at, r.state, r.started_at, r.ended_at, r.nominal_start,
  r.nominal_end, r.job_version, r.facets, r.states, j.namespace as job_namespace, j.name as job_name`;

export interface RunRow {
  run_id: string;
  job_namespace?: string;
  job_name?: string;
  created_at: Date;
  updated_at: Date;
  state: string;
  started_at: Date | null;
  ended_at: Date | null;
  nominal_start: Date | null;
  nominal_end: Date | null;
  job_version: string | null;
  facets: Record<string, unknown>;
  states?: Array<{ type: string; time: string }>;
}

/** Marquez's Run, plus its state history (ours). */
export function run(r: RunRow, job?: { namespace: string; name: string }) {
  const t = (d: Date | null) => (d ? d.toISOString() : null);
  const ns = job?.namespace ?? r.job_namespace ?? null;
  const name = job?.name ?? r.job_name ?? null;
  return {
    id: r.run_id,
    createdAt: t(r.created_at),
    updatedAt: t(r.updated_at),
    nominalStartTime: t(r.nominal_start),
    nominalEndTime: t(r.nominal_end),
    state: r.state,
    startedAt: t(r.started_at),
    endedAt: t(r.ended_at),
    durationMs: r.started_at && r.ended_at ? r.ended_at.getTime() - r.started_at.getTime() : null,
    args: {},
    jobVersion: r.job_version && ns && name ? { namespace: ns, name, version: r.job_version } : null,
    inputDatasetVersions: [],
    outputDatasetVersions: [],
    context: {},
    errorMessage: str(obj(r.facets.errorMessage)?.message),
    stateHistory: [...(r.states ?? [])].sort((a, b) => Date.parse(a.time) - Date.parse(b.time)),
    facets: r.facets,
  };
}

/** The in-memory summary of a job's latest run: Run's identifying and state fields. */
export function latestRunSummary(j: JobNode) {
  const r = j.latestRun;
  if (!r) return null;
  const s = runState(r.states);
  return {
    id: r.runId,
    state: s.state,
    startedAt: s.started_at,
    endedAt: s.ended_at,
    durationMs: s.started_at && s.ended_at ? Date.parse(s.ended_at) - Date.parse(s.started_at) : null,
    errorMessage: r.errorMessage,
  };
}

type RunShape = ReturnType<typeof run> | ReturnType<typeof latestRunSummary>;

/** Marquez's JobData (as lineage nodes carry it). */
export function jobData(j: JobNode, asOf: number | null = null, latestRun: RunShape = null) {
  const inputs: Array<{ namespace: string; name: string }> = [];
  const outputs: Array<{ namespace: string; name: string }> = [];
  for (const e of j.edges.values()) {
    if (!validAt(e, asOf)) continue;
    (e.direction === 'in' ? inputs : outputs).push({ namespace: e.dataset.namespace, name: e.dataset.name });
  }
  const jobType = obj(j.facets.jobType);
  const dot = j.name.lastIndexOf('.');
  return {
    id: { namespace: j.namespace, name: j.name },
    type: str(jobType?.processingType)?.toUpperCase() === 'STREAMING' ? 'STREAM' : 'BATCH',
    name: j.name,
    simpleName: dot >= 0 ? j.name.slice(dot + 1) : j.name,
    parentJobName: null,
    createdAt: iso(j.createdAt),
    updatedAt: iso(j.updatedAt),
    namespace: j.namespace,
    inputs,
    outputs,
    location: str(obj(j.facets.sourceCodeLocation)?.url),
    description: str(obj(j.facets.documentation)?.description),
    latestRun,
    currentVersion: j.currentVersion,
    tags: [...new Set(facetTags(j.facets).map((t) => t.key))],
    policyTags: facetTags(j.facets),
  };
}

/** Marquez's Job: JobData plus facets. */
export function job(j: JobNode, latestRun: RunShape) {
  return { ...jobData(j, null, latestRun), facets: j.facets };
}
