import pg from 'pg';
import type { BatchPlan } from '../ingest/batch-plan.ts';
import type { LineageEvent } from '../ingest/lineage-event.ts';
import { MIGRATIONS } from './migrations.ts';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const ts = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const json = (v: unknown): string => JSON.stringify(v);

/**
 * Postgres persistence: the raw events, and the graph derived from them. Writes come from one writer (the
 * ingest queue) in one transaction per batch; reads of runs, versions and events query here, graph
 * traversals read the in-memory graph built from these tables.
 */
export class LineageStore {
  readonly pool: pg.Pool;

  constructor(databaseUrl: string, poolSize: number) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
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

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs `fn` in a transaction; commits if it returns, rolls back if it throws. */
  async transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Stores the events not stored yet (by hash) and returns the hashes that were new. */
  async insertEvents(q: Queryable, events: readonly LineageEvent[]): Promise<Set<string>> {
    const r = await q.query<{ hash: string }>(
      `insert into lin_events (hash, event_time, kind, event_type, run_id, job_namespace, job_name, body)
       select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::jsonb[])
       on conflict (hash) do nothing
       returning hash`,
      [
        events.map((e) => e.hash),
        events.map((e) => ts(e.eventTime)),
        events.map((e) => e.kind),
        events.map((e) => e.eventType),
        events.map((e) => e.runId),
        events.map((e) => e.job?.namespace ?? e.dataset?.namespace ?? null),
        events.map((e) => e.job?.name ?? e.dataset?.name ?? null),
        events.map((e) => json(e.raw)),
      ],
    );
    return new Set(r.rows.map((row) => row.hash));
  }

  async writePlan(q: Queryable, plan: BatchPlan): Promise<void> {
    const ns = [...plan.namespaces.values()];
    if (ns.length > 0) {
      await q.query(
        `insert into lin_namespaces (name, created_at, updated_at)
         select * from unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
         on conflict (name) do update set created_at = excluded.created_at, updated_at = excluded.updated_at`,
        [ns.map((n) => n.name), ns.map((n) => ts(n.createdAt)), ns.map((n) => ts(n.updatedAt))],
      );
    }
    const ds = [...plan.datasets.values()];
    if (ds.length > 0) {
      await q.query(
        `insert into lin_datasets (id, namespace, name, created_at, updated_at, facets, current_version)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                              $6::jsonb[], $7::uuid[])
         on conflict (id) do update set created_at = excluded.created_at, updated_at = excluded.updated_at,
           facets = excluded.facets, current_version = excluded.current_version`,
        [
          ds.map((d) => d.id),
          ds.map((d) => d.namespace),
          ds.map((d) => d.name),
          ds.map((d) => ts(d.createdAt)),
          ds.map((d) => ts(d.updatedAt)),
          ds.map((d) => json(d.facets)),
          ds.map((d) => d.currentVersion),
        ],
      );
    }
    const versions = [...plan.versions.values()];
    if (versions.length > 0) {
      await q.query(
        `insert into lin_dataset_versions (id, dataset_id, created_at, run_id, fields, facets)
         select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::jsonb[], $6::jsonb[])
         on conflict (id) do update set created_at = least(lin_dataset_versions.created_at, excluded.created_at),
           fields = case when excluded.fields = '[]'::jsonb then lin_dataset_versions.fields else excluded.fields end,
           facets = lin_dataset_versions.facets || excluded.facets`,
        [
          versions.map((v) => v.id),
          versions.map((v) => v.datasetId),
          versions.map((v) => ts(v.createdAt)),
          versions.map((v) => v.runId),
          versions.map((v) => json(v.fields)),
          versions.map((v) => json(v.facets)),
        ],
      );
    }
    const jobs = [...plan.jobs.values()];
    if (jobs.length > 0) {
      await q.query(
        `insert into lin_jobs (id, namespace, name, created_at, updated_at, facets, current_version, latest_run_id)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                              $6::jsonb[], $7::uuid[], $8::text[])
         on conflict (id) do update set created_at = excluded.created_at, updated_at = excluded.updated_at,
           facets = excluded.facets, current_version = excluded.current_version,
           latest_run_id = excluded.latest_run_id`,
        [
          jobs.map((j) => j.id),
          jobs.map((j) => j.namespace),
          jobs.map((j) => j.name),
          jobs.map((j) => ts(j.createdAt)),
          jobs.map((j) => ts(j.updatedAt)),
          jobs.map((j) => json(j.facets)),
          jobs.map((j) => j.currentVersion),
          jobs.map((j) => j.latestRunId),
        ],
      );
    }
    const jv = [...plan.jobVersions.values()];
    if (jv.length > 0) {
      await q.query(
        `insert into lin_job_versions (id, job_id, created_at, inputs, outputs)
         select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::jsonb[], $5::jsonb[])
         on conflict (id) do update set created_at = least(lin_job_versions.created_at, excluded.created_at)`,
        [
          jv.map((v) => v.id),
          jv.map((v) => v.jobId),
          jv.map((v) => ts(v.createdAt)),
          jv.map((v) => json(v.inputs)),
          jv.map((v) => json(v.outputs)),
        ],
      );
    }
    const runs = [...plan.runs.values()];
    if (runs.length > 0) {
      await q.query(
        `insert into lin_runs (run_id, job_id, created_at, updated_at, nominal_start, nominal_end, job_version, facets,
                               first_event_time, last_event_time)
         select r.id, r.job, now(), now(), r.ns, r.ne, r.jv, r.facets, r.first, r.last
         from unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::uuid[], $6::jsonb[],
                     $7::timestamptz[], $8::timestamptz[]) as r(id, job, ns, ne, jv, facets, first, last)
         on conflict (run_id) do update set updated_at = now(),
           nominal_start = coalesce(excluded.nominal_start, lin_runs.nominal_start),
           nominal_end = coalesce(excluded.nominal_end, lin_runs.nominal_end),
           job_version = coalesce(excluded.job_version, lin_runs.job_version),
           facets = case when excluded.last_event_time >= lin_runs.last_event_time
                         then lin_runs.facets || excluded.facets else excluded.facets || lin_runs.facets end,
           first_event_time = least(lin_runs.first_event_time, excluded.first_event_time),
           last_event_time = greatest(lin_runs.last_event_time, excluded.last_event_time)`,
        [
          runs.map((r) => r.runId),
          runs.map((r) => r.jobId),
          runs.map((r) => ts(r.nominalStart)),
          runs.map((r) => ts(r.nominalEnd)),
          runs.map((r) => r.jobVersion),
          runs.map((r) => json(r.facets)),
          runs.map((r) => ts(r.first)),
          runs.map((r) => ts(r.last)),
        ],
      );
    }
    if (plan.runStates.length > 0) {
      const s = plan.runStates;
      await q.query(
        `insert into lin_run_states (run_id, event_type, event_time)
         select * from unnest($1::text[], $2::text[], $3::timestamptz[]) on conflict do nothing`,
        [s.map((x) => x[0]), s.map((x) => x[1]), s.map((x) => ts(x[2]))],
      );
      // A run's state follows from all its state events, whatever order they came in: the latest terminal
      // event decides; without one, START or RUNNING make it RUNNING; OTHER alone leaves it NEW.
      await q.query(
        `update lin_runs r set state = s.state, started_at = s.started, ended_at = s.ended
         from (select run_id,
                 coalesce((array_agg(case event_type when 'COMPLETE' then 'COMPLETED' when 'FAIL' then 'FAILED'
                                       else 'ABORTED' end order by event_time desc)
                           filter (where event_type in ('COMPLETE', 'FAIL', 'ABORT')))[1],
                          case when bool_or(event_type in ('START', 'RUNNING')) then 'RUNNING' else 'NEW' end) as state,
                 coalesce(min(event_time) filter (where event_type = 'START'),
                          min(event_time) filter (where event_type = 'RUNNING')) as started,
                 max(event_time) filter (where event_type in ('COMPLETE', 'FAIL', 'ABORT')) as ended
               from lin_run_states where run_id = any($1::text[]) group by run_id) s
         where r.run_id = s.run_id`,
        [[...new Set(s.map((x) => x[0]))]],
      );
    }
    if (plan.runIo.length > 0) {
      const unique = new Map<string, [string, string, string, string, number]>();
      for (const row of plan.runIo) {
        const key = `${row[0]}|${row[2]}|${row[3]}`;
        const known = unique.get(key);
        if (!known || row[4] < known[4]) unique.set(key, row);
      }
      const io = [...unique.values()];
      await q.query(
        `insert into lin_run_io (run_id, job_id, dataset_id, direction, start_time)
         select * from unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[])
         on conflict (run_id, dataset_id, direction) do update
           set start_time = least(lin_run_io.start_time, excluded.start_time)`,
        [
          io.map((x) => x[0]),
          io.map((x) => x[1]),
          io.map((x) => x[2]),
          io.map((x) => x[3]),
          io.map((x) => ts(x[4])),
        ],
      );
    }
    if (plan.edges.size > 0) {
      const rows = [...plan.edges.values()].flat();
      await q.query('delete from lin_edges where job_id = any($1::uuid[])', [[...plan.edges.keys()]]);
      await q.query(
        `insert into lin_edges (job_id, dataset_id, direction, valid_from, valid_to)
         select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[])
         on conflict do nothing`,
        [
          rows.map((r) => r.jobId),
          rows.map((r) => r.datasetId),
          rows.map((r) => r.direction),
          rows.map((r) => ts(r.from)),
          rows.map((r) => ts(r.to)),
        ],
      );
    }
    if (plan.columnLineage.size > 0) {
      const cl = [...plan.columnLineage.values()];
      await q.query('delete from lin_column_lineage where dataset_id = any($1::uuid[])', [
        cl.map((c) => c.datasetId),
      ]);
      const rows = cl.flatMap((c) =>
        [...c.state.fields].flatMap(([field, inputs]) =>
          inputs.map((input) => ({ id: c.datasetId, field, input, at: c.state.at })),
        ),
      );
      await q.query(
        `insert into lin_column_lineage (dataset_id, field, input_namespace, input_name, input_field, transformations, updated_at)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[])
         on conflict do nothing`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.field),
          rows.map((r) => r.input.namespace),
          rows.map((r) => r.input.name),
          rows.map((r) => r.input.field),
          rows.map((r) =>
            json({
              transformations: r.input.transformations,
              transformationDescription: r.input.transformationDescription,
              transformationType: r.input.transformationType,
            }),
          ),
          rows.map((r) => ts(r.at)),
        ],
      );
    }
    if (plan.decisions.size > 0) {
      const d = [...plan.decisions.values()];
      await q.query(
        `insert into lin_residency_decisions (job_id, dataset_id, run_id, decision_id, decision, event_time)
         select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
         on conflict (job_id, dataset_id) do update set run_id = excluded.run_id, decision_id = excluded.decision_id,
           decision = excluded.decision, event_time = excluded.event_time
         where excluded.event_time >= lin_residency_decisions.event_time`,
        [
          d.map((x) => x.jobId),
          d.map((x) => x.datasetId),
          d.map((x) => x.decision.runId),
          d.map((x) => x.decision.decisionId),
          d.map((x) => x.decision.decision),
          d.map((x) => ts(x.decision.at)),
        ],
      );
    }
  }
}
