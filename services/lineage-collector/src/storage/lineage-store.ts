import pg from 'pg';
import type { BatchPlan } from '../ingest/batch-plan.ts';
import type { LineageEvent } from '../ingest/lineage-event.ts';
import { Overloaded, withRetryAfter } from '../errors.ts';
import { MIGRATIONS } from './migrations.ts';
import { runState } from './run-state.ts';

/** Another writer stored some of the batch's events first; re-read which are new and plan again. */
export class EventsAlreadyStored extends Error {
  constructor() {
    super('some events of the batch were stored meanwhile');
  }
}

/**
 * ISO times for one batch document, memoized: an event's time recurs on most rows it derives (namespace,
 * datasets, job, run, version), and formatting showed in profiles.
 */
function isoTimes(): (ms: number | null) => string | null {
  const seen = new Map<number, string>();
  return (ms) => {
    if (ms === null) return null;
    let text = seen.get(ms);
    if (text === undefined) {
      text = new Date(ms).toISOString();
      seen.set(ms, text);
    }
    return text;
  };
}
const json = (v: unknown): string => JSON.stringify(v);

/**
 * Postgres persistence: the raw events, and the graph derived from them. Writes come from one writer (the
 * ingest queue) in one transaction per batch; reads of runs, versions and events query here, graph
 * traversals read the in-memory graph built from these tables.
 */
export class LineageStore {
  readonly pool: pg.Pool;

  readonly #maxWaiting: number;

  constructor(databaseUrl: string, poolSize: number, maxWaiting = 64) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
    this.#maxWaiting = maxWaiting;
    // An idle client's error (the server restarting) must not crash the process; the next query fails instead.
    this.pool.on('error', () => {});
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('select pg_advisory_lock(hashtext($1))', ['lineage-migrations']);
      for (const sql of MIGRATIONS) await client.query(sql);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', ['lineage-migrations']).catch(() => {});
      client.release();
    }
  }

  /**
   * A read query, refused with 503 when the pool already has `maxWaiting` queries queued for a connection
   * (the database is the bottleneck: waiting longer only makes every answer late).
   */
  async read<R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.pool.waitingCount >= this.#maxWaiting) {
      throw withRetryAfter(new Overloaded(`${this.pool.waitingCount} queries waiting for the database`), 1);
    }
    return this.pool.query<R>(text, params);
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Stores new events and what the plan derived from them, atomically, in one round trip. When some of
   * the events are stored already it writes nothing and returns their hashes; throws `EventsAlreadyStored`
   * when another writer stored one of them at the same moment.
   */
  async applyBatch(events: readonly LineageEvent[], plan: BatchPlan): Promise<Set<string>> {
    const ts = isoTimes();
    const doc = {
      events: events.map((e) => ({
        hash: e.hash,
        event_time: ts(e.eventTime),
        kind: e.kind,
        event_type: e.eventType,
        run_id: e.runId,
        job_namespace: e.job?.namespace ?? e.dataset?.namespace ?? null,
        job_name: e.job?.name ?? e.dataset?.name ?? null,
        body: e.raw,
      })),
      namespaces: [...plan.namespaces.values()].map((n) => ({
        name: n.name,
        created_at: ts(n.createdAt),
        updated_at: ts(n.updatedAt),
      })),
      datasets: [...plan.datasets.values()]
        .filter((d) => plan.written.has(d.key))
        .map((d) => ({
          id: d.id,
          namespace: d.namespace,
          name: d.name,
          created_at: ts(d.createdAt),
          updated_at: ts(d.updatedAt),
          facets: d.facets,
          current_version: d.currentVersion,
        })),
      dataset_times: [...plan.datasets.values()]
        .filter((d) => !plan.written.has(d.key))
        .map((d) => ({ id: d.id, updated_at: ts(d.updatedAt) })),
      job_times: [...plan.jobs.values()]
        .filter((j) => !plan.written.has(j.key))
        .map((j) => ({ id: j.id, updated_at: ts(j.updatedAt), latest_run_id: j.latestRunId })),
      versions: [...plan.versions.values()].map((v) => ({
        id: v.id,
        dataset_id: v.datasetId,
        created_at: ts(v.createdAt),
        run_id: v.runId,
        fields: v.fields,
        facets: v.facets,
      })),
      jobs: [...plan.jobs.values()]
        .filter((j) => plan.written.has(j.key))
        .map((j) => ({
          id: j.id,
          namespace: j.namespace,
          name: j.name,
          created_at: ts(j.createdAt),
          updated_at: ts(j.updatedAt),
          facets: j.facets,
          current_version: j.currentVersion,
          latest_run_id: j.latestRunId,
        })),
      job_versions: [...plan.jobVersions.values()].map((v) => ({
        id: v.id,
        job_id: v.jobId,
        created_at: ts(v.createdAt),
        inputs: v.inputs,
        outputs: v.outputs,
      })),
      runs: [...plan.runs.values()].map((r) => ({
        run_id: r.runId,
        job_id: r.jobId,
        kind: r.kind,
        ...runState(r.states),
        states: r.states,
        io: [...r.io],
        nominal_start: ts(r.nominalStart),
        nominal_end: ts(r.nominalEnd),
        job_version: r.jobVersion,
        facets: r.facets,
        first_event_time: ts(r.first),
        last_event_time: ts(r.last),
      })),
      edge_keys: plan.edges.map((e) => ({
        job_id: e.jobId,
        dataset_id: e.datasetId,
        direction: e.direction,
      })),
      edges: plan.edges
        .flatMap((c) => c.rows)
        .map((e) => ({
          job_id: e.jobId,
          dataset_id: e.datasetId,
          direction: e.direction,
          valid_from: ts(e.from),
          valid_to: ts(e.to),
        })),
      cll_datasets: [...plan.columnLineage.values()].map((c) => c.datasetId),
      cll: [...plan.columnLineage.values()].flatMap((c) =>
        [...c.state.fields].flatMap(([field, inputs]) =>
          inputs.map((i) => ({
            dataset_id: c.datasetId,
            field,
            input_namespace: i.namespace,
            input_name: i.name,
            input_field: i.field,
            transformations: {
              transformations: i.transformations,
              transformationDescription: i.transformationDescription,
              transformationType: i.transformationType,
            },
            updated_at: ts(c.state.at),
          })),
        ),
      ),
      cll_history: plan.columnLineageHistory.map((c) => ({
        dataset_id: c.datasetId,
        valid_from: ts(c.state.at),
        fields: Object.fromEntries(c.state.fields),
      })),
      decisions: [...plan.decisions.values()].map((d) => ({
        job_id: d.jobId,
        dataset_id: d.datasetId,
        run_id: d.decision.runId,
        decision_id: d.decision.decisionId,
        decision: d.decision.decision,
        event_time: ts(d.decision.at),
      })),
    };
    try {
      const r = await this.pool.query<{ known: string[] }>('select lin_ingest($1::jsonb) as known', [
        json(doc),
      ]);
      return new Set(r.rows[0]?.known ?? []);
    } catch (err) {
      if ((err as { code?: string }).code === 'LIN01') throw new EventsAlreadyStored();
      throw err;
    }
  }
}
