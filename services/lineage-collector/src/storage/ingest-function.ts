/**
 * One server-side function applies a whole ingest batch from one JSON document, so a batch costs one round
 * trip (plus the duplicate check) instead of one per table: on a busy machine each round trip is a
 * scheduling delay. It refuses (LIN01) if any event is already stored, which only another writer racing
 * this one can cause; the caller then re-reads which events are new and tries again.
 */
export const INGEST_FUNCTION = `
create or replace function lin_ingest(p jsonb) returns void language plpgsql as $fn$
declare
  inserted integer;
begin
  insert into lin_events (hash, event_time, kind, event_type, run_id, job_namespace, job_name, body)
  select hash, event_time, kind, event_type, run_id, job_namespace, job_name, body
  from jsonb_to_recordset(p->'events') as x(hash text, event_time timestamptz, kind text, event_type text,
       run_id text, job_namespace text, job_name text, body jsonb)
  on conflict (hash) do nothing;
  get diagnostics inserted = row_count;
  if inserted < jsonb_array_length(p->'events') then
    raise exception 'events already stored' using errcode = 'LIN01';
  end if;

  insert into lin_namespaces (name, created_at, updated_at)
  select name, created_at, updated_at
  from jsonb_to_recordset(p->'namespaces') as x(name text, created_at timestamptz, updated_at timestamptz)
  on conflict (name) do update set created_at = excluded.created_at, updated_at = excluded.updated_at;

  insert into lin_datasets (id, namespace, name, created_at, updated_at, facets, current_version)
  select id, namespace, name, created_at, updated_at, facets, current_version
  from jsonb_to_recordset(p->'datasets') as x(id uuid, namespace text, name text, created_at timestamptz,
       updated_at timestamptz, facets jsonb, current_version uuid)
  on conflict (id) do update set created_at = excluded.created_at, updated_at = excluded.updated_at,
    facets = excluded.facets, current_version = excluded.current_version;

  insert into lin_dataset_versions (id, dataset_id, created_at, run_id, fields, facets)
  select id, dataset_id, created_at, run_id, fields, facets
  from jsonb_to_recordset(p->'versions') as x(id uuid, dataset_id uuid, created_at timestamptz, run_id text,
       fields jsonb, facets jsonb)
  on conflict (id) do update set created_at = least(lin_dataset_versions.created_at, excluded.created_at),
    fields = case when excluded.fields = '[]'::jsonb then lin_dataset_versions.fields else excluded.fields end,
    facets = lin_dataset_versions.facets || excluded.facets;

  insert into lin_jobs (id, namespace, name, created_at, updated_at, facets, current_version, latest_run_id)
  select id, namespace, name, created_at, updated_at, facets, current_version, latest_run_id
  from jsonb_to_recordset(p->'jobs') as x(id uuid, namespace text, name text, created_at timestamptz,
       updated_at timestamptz, facets jsonb, current_version uuid, latest_run_id text)
  on conflict (id) do update set created_at = excluded.created_at, updated_at = excluded.updated_at,
    facets = excluded.facets, current_version = excluded.current_version, latest_run_id = excluded.latest_run_id;

  insert into lin_job_versions (id, job_id, created_at, inputs, outputs)
  select id, job_id, created_at, inputs, outputs
  from jsonb_to_recordset(p->'job_versions') as x(id uuid, job_id uuid, created_at timestamptz, inputs jsonb,
       outputs jsonb)
  on conflict (id) do update set created_at = least(lin_job_versions.created_at, excluded.created_at);

  insert into lin_runs (run_id, job_id, created_at, updated_at, nominal_start, nominal_end, job_version, facets,
                        first_event_time, last_event_time)
  select run_id, job_id, now(), now(), nominal_start, nominal_end, job_version, facets, first_event_time,
         last_event_time
  from jsonb_to_recordset(p->'runs') as x(run_id text, job_id uuid, nominal_start timestamptz,
       nominal_end timestamptz, job_version uuid, facets jsonb, first_event_time timestamptz,
       last_event_time timestamptz)
  on conflict (run_id) do update set updated_at = now(),
    nominal_start = coalesce(excluded.nominal_start, lin_runs.nominal_start),
    nominal_end = coalesce(excluded.nominal_end, lin_runs.nominal_end),
    job_version = coalesce(excluded.job_version, lin_runs.job_version),
    facets = case when excluded.last_event_time >= lin_runs.last_event_time
                  then lin_runs.facets || excluded.facets else excluded.facets || lin_runs.facets end,
    first_event_time = least(lin_runs.first_event_time, excluded.first_event_time),
    last_event_time = greatest(lin_runs.last_event_time, excluded.last_event_time);

  insert into lin_run_states (run_id, event_type, event_time)
  select run_id, event_type, event_time
  from jsonb_to_recordset(p->'run_states') as x(run_id text, event_type text, event_time timestamptz)
  on conflict do nothing;

  -- A run's state follows from all its state events, whatever order they came in: the latest terminal
  -- event decides; without one, START or RUNNING make it RUNNING; OTHER alone leaves it NEW.
  update lin_runs r set state = s.state, started_at = s.started, ended_at = s.ended
  from (select run_id,
          coalesce((array_agg(case event_type when 'COMPLETE' then 'COMPLETED' when 'FAIL' then 'FAILED'
                                else 'ABORTED' end order by event_time desc)
                    filter (where event_type in ('COMPLETE', 'FAIL', 'ABORT')))[1],
                   case when bool_or(event_type in ('START', 'RUNNING')) then 'RUNNING' else 'NEW' end) as state,
          coalesce(min(event_time) filter (where event_type = 'START'),
                   min(event_time) filter (where event_type = 'RUNNING')) as started,
          max(event_time) filter (where event_type in ('COMPLETE', 'FAIL', 'ABORT')) as ended
        from lin_run_states
        where run_id in (select distinct x.run_id from jsonb_to_recordset(p->'run_states') as x(run_id text))
        group by run_id) s
  where r.run_id = s.run_id;

  insert into lin_run_io (run_id, job_id, dataset_id, direction, start_time)
  select run_id, job_id, dataset_id, direction, start_time
  from jsonb_to_recordset(p->'run_io') as x(run_id text, job_id uuid, dataset_id uuid, direction text,
       start_time timestamptz)
  on conflict (run_id, dataset_id, direction) do update set start_time = least(lin_run_io.start_time, excluded.start_time);

  delete from lin_edges where job_id in (select value::uuid from jsonb_array_elements_text(p->'edge_jobs'));
  insert into lin_edges (job_id, dataset_id, direction, valid_from, valid_to)
  select job_id, dataset_id, direction, valid_from, valid_to
  from jsonb_to_recordset(p->'edges') as x(job_id uuid, dataset_id uuid, direction text, valid_from timestamptz,
       valid_to timestamptz)
  on conflict do nothing;

  delete from lin_column_lineage where dataset_id in (select value::uuid from jsonb_array_elements_text(p->'cll_datasets'));
  insert into lin_column_lineage (dataset_id, field, input_namespace, input_name, input_field, transformations, updated_at)
  select dataset_id, field, input_namespace, input_name, input_field, transformations, updated_at
  from jsonb_to_recordset(p->'cll') as x(dataset_id uuid, field text, input_namespace text, input_name text,
       input_field text, transformations jsonb, updated_at timestamptz)
  on conflict do nothing;

  insert into lin_residency_decisions (job_id, dataset_id, run_id, decision_id, decision, event_time)
  select job_id, dataset_id, run_id, decision_id, decision, event_time
  from jsonb_to_recordset(p->'decisions') as x(job_id uuid, dataset_id uuid, run_id text, decision_id text,
       decision text, event_time timestamptz)
  on conflict (job_id, dataset_id) do update set run_id = excluded.run_id, decision_id = excluded.decision_id,
    decision = excluded.decision, event_time = excluded.event_time
  where excluded.event_time >= lin_residency_decisions.event_time;
end
$fn$`;
