import { nodeKey } from '../graph/graph-model.ts';
import type { Field, RunIo } from '../graph/graph-model.ts';
import type { InputFieldRef, JobState } from '../graph/lineage-graph.ts';
import { LineageGraph } from '../graph/lineage-graph.ts';
import { insertRun } from '../graph/edge-intervals.ts';
import { canonicalJson } from '../ingest/canonical-json.ts';
import type { Facets } from '../ingest/lineage-event.ts';
import type { LineageStore } from './lineage-store.ts';
import { isJobEventRun } from '../graph/job-event-run.ts';

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

/** Rebuilds the in-memory graph from the derived tables (never from the raw events). */
export async function loadGraph(store: LineageStore): Promise<LineageGraph> {
  const g = new LineageGraph();
  const q = store.pool;
  for (const r of (
    await q.query<{ name: string; created_at: Date; updated_at: Date }>('select * from lin_namespaces')
  ).rows) {
    g.applyNamespace({ name: r.name, createdAt: r.created_at.getTime(), updatedAt: r.updated_at.getTime() });
  }
  const keyById = new Map<string, string>();
  const datasets = await q.query<{
    id: string;
    namespace: string;
    name: string;
    created_at: Date;
    updated_at: Date;
    facets: Facets;
    current_version: string | null;
    cv_time: Date | null;
  }>(
    `select d.*, v.created_at as cv_time from lin_datasets d
     left join lin_dataset_versions v on v.id = d.current_version`,
  );
  for (const r of datasets.rows) {
    const key = nodeKey(r.namespace, r.name);
    keyById.set(r.id, key);
    g.applyDataset({
      id: r.id,
      key,
      namespace: r.namespace,
      name: r.name,
      createdAt: r.created_at.getTime(),
      updatedAt: r.updated_at.getTime(),
      facets: r.facets,
      schemas: [],
      currentVersion: r.current_version,
      currentVersionTime: ms(r.cv_time) ?? -Infinity,
      dirty: false,
    });
  }
  // Schema history: versions whose fields differ from the version before.
  const versions = await q.query<{ dataset_id: string; id: string; created_at: Date; fields: Field[] }>(
    `select dataset_id, id, created_at, fields from lin_dataset_versions
     where fields <> '[]'::jsonb order by dataset_id, created_at`,
  );
  for (const v of versions.rows) {
    const d = g.datasets.get(keyById.get(v.dataset_id) ?? '');
    if (!d) continue;
    const sig = canonicalJson(v.fields);
    const prev = d.schemas.at(-1);
    if (prev && canonicalJson(prev.fields) === sig) continue;
    d.schemas.push({ from: v.created_at.getTime(), versionId: v.id, fields: v.fields });
  }
  const jobs = await q.query<{
    id: string;
    namespace: string;
    name: string;
    created_at: Date;
    updated_at: Date;
    facets: Facets;
    current_version: string | null;
    latest_run_id: string | null;
  }>('select * from lin_jobs');
  const states = new Map<string, JobState>();
  const jobKeyById = new Map<string, string>();
  for (const r of jobs.rows) {
    const key = nodeKey(r.namespace, r.name);
    jobKeyById.set(r.id, key);
    states.set(r.id, {
      id: r.id,
      key,
      namespace: r.namespace,
      name: r.name,
      createdAt: r.created_at.getTime(),
      updatedAt: r.updated_at.getTime(),
      facets: r.facets,
      runs: [],
      runIndex: new Map(),
      staged: new Map(),
      runsFrom: 0,
      runsTail: null,
      latestRunId: r.latest_run_id,
      latestRunStart: -Infinity,
      latestRun: null,
      currentVersion: r.current_version,
      dirty: false,
    });
  }
  const runs = await q.query<{ run_id: string; job_id: string; start: Date; io: string[] }>(
    `select run_id, job_id, first_event_time as start, io from lin_runs where io <> '[]'::jsonb`,
  );
  for (const r of runs.rows) {
    const job = states.get(r.job_id);
    if (!job) continue;
    const run: RunIo = { runId: r.run_id, start: r.start.getTime(), io: new Set() };
    for (const entry of r.io) {
      const bar = entry.indexOf('|');
      const dsKey = keyById.get(entry.slice(bar + 1));
      if (dsKey) run.io.add(`${entry.slice(0, bar)}|${dsKey}`);
    }
    job.runIndex.set(r.run_id, run);
    insertRun(job.runs, run);
    // As at ingest: a JobEvent's row holds edges, not a run, so it never becomes the latest run.
    if (!isJobEventRun(r.run_id)) job.latestRunStart = Math.max(job.latestRunStart, run.start);
  }
  const latest = await q.query<{
    job_id: string;
    run_id: string;
    start: Date;
    states: Array<{ type: string; time: string }>;
    error: string | null;
  }>(
    `select r.job_id, r.run_id, r.first_event_time as start, r.states, r.facets->'errorMessage'->>'message' as error
     from lin_runs r join lin_jobs j on j.latest_run_id = r.run_id`,
  );
  for (const r of latest.rows) {
    const job = states.get(r.job_id);
    if (!job) continue;
    job.latestRunStart = Math.max(job.latestRunStart, r.start.getTime());
    job.latestRun = { runId: r.run_id, states: r.states, errorMessage: r.error };
  }
  for (const s of states.values()) g.applyJob(s);
  const cll = await q.query<{
    dataset_id: string;
    field: string;
    input_namespace: string;
    input_name: string;
    input_field: string;
    transformations: {
      transformations: unknown[];
      transformationDescription: string | null;
      transformationType: string | null;
    };
    updated_at: Date;
  }>('select * from lin_column_lineage');
  for (const r of cll.rows) {
    const key = keyById.get(r.dataset_id);
    if (!key) continue;
    let state = g.columnLineage.get(key);
    if (!state) {
      state = { at: r.updated_at.getTime(), fields: new Map(), sig: '' };
      g.columnLineage.set(key, state);
    }
    const list = state.fields.get(r.field) ?? [];
    list.push({
      namespace: r.input_namespace,
      name: r.input_name,
      field: r.input_field,
      transformations: r.transformations.transformations ?? [],
      transformationDescription: r.transformations.transformationDescription ?? null,
      transformationType: r.transformations.transformationType ?? null,
    });
    state.fields.set(r.field, list);
  }
  for (const state of g.columnLineage.values()) state.sig = canonicalJson(Object.fromEntries(state.fields));
  const history = await q.query<{
    dataset_id: string;
    valid_from: Date;
    fields: Record<string, InputFieldRef[]>;
  }>('select dataset_id, valid_from, fields from lin_column_lineage_history order by dataset_id, valid_from');
  for (const r of history.rows) {
    const key = keyById.get(r.dataset_id);
    if (!key) continue;
    const fields = new Map(Object.entries(r.fields));
    const list = g.columnLineageHistory.get(key) ?? [];
    list.push({ at: r.valid_from.getTime(), fields, sig: canonicalJson(Object.fromEntries(fields)) });
    g.columnLineageHistory.set(key, list);
  }
  const decisions = await q.query<{
    job_id: string;
    dataset_id: string;
    run_id: string | null;
    decision_id: string;
    decision: string;
    event_time: Date;
  }>('select * from lin_residency_decisions');
  for (const r of decisions.rows) {
    const jk = jobKeyById.get(r.job_id);
    const dk = keyById.get(r.dataset_id);
    if (!jk || !dk) continue;
    g.decisions.set(`${jk}|${dk}`, {
      decisionId: r.decision_id,
      decision: r.decision,
      runId: r.run_id,
      at: r.event_time.getTime(),
    });
  }
  const tags = await q.query<{ dataset_id: string; field_tags: Record<string, string[]> }>(
    'select dataset_id, field_tags from lin_registry_field_tags',
  );
  for (const r of tags.rows) {
    const key = keyById.get(r.dataset_id);
    if (key) g.registryFieldTags.set(key, new Map(Object.entries(r.field_tags)));
  }
  return g;
}
