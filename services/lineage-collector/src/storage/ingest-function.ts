/**
 * One server-side function applies a whole ingest batch from one JSON document, so a batch costs one round
 * trip instead of one per table: on a busy machine each round trip is a scheduling delay. If some events
 * are stored already it writes nothing and returns their hashes (the caller plans again without them); if
 * another writer races it between that check and the insert, it raises LIN01 and the caller retries.
 */
export const INGEST_FUNCTION = `
create or replace function lin_ingest(p jsonb) returns text[] language plpgsql
-- Every statement here joins a batch (hundreds of rows) to a table by its key: index probes are right at
-- any table size. PL/pgSQL caches its plans, and one made while the tables were small (a seq scan) stays
-- when they grow, making every batch cost O(table); these settings rule such plans out.
set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off
as $fn$
declare
  inserted integer;
  known text[];
begin
  -- Events stored already: say which, write nothing; the caller plans again without them.
  select array_agg(e.hash) into known from lin_events e
  where e.hash = any(array(select x.hash from jsonb_to_recordset(p->'events') as x(hash text)));
  if known is not null then
    return known;
  end if;
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

  update lin_datasets d set updated_at = x.updated_at
  from jsonb_to_recordset(p->'dataset_times') as x(id uuid, updated_at timestamptz)
  where d.id = x.id and d.updated_at is distinct from x.updated_at;

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

  update lin_jobs j set updated_at = x.updated_at, latest_run_id = x.latest_run_id
  from jsonb_to_recordset(p->'job_times') as x(id uuid, updated_at timestamptz, latest_run_id text)
  where j.id = x.id and (j.updated_at, j.latest_run_id) is distinct from (x.updated_at, x.latest_run_id);

  insert into lin_job_versions (id, job_id, created_at, inputs, outputs)
  select id, job_id, created_at, inputs, outputs
  from jsonb_to_recordset(p->'job_versions') as x(id uuid, job_id uuid, created_at timestamptz, inputs jsonb,
       outputs jsonb)
  on conflict (id) do update set created_at = least(lin_job_versions.created_at, excluded.created_at);

  -- state, started_at and ended_at come computed from the batch's own state events; merged with what is
  -- stored, the latest terminal event decides, else RUNNING if any START/RUNNING, else NEW (any order).
  insert into lin_runs (run_id, job_id, kind, created_at, updated_at, state, started_at, ended_at, nominal_start,
                        nominal_end, job_version, facets, states, io, first_event_time, last_event_time)
  select run_id, job_id, kind, now(), now(), state, started_at, ended_at, nominal_start, nominal_end, job_version,
         facets, states, io, first_event_time, last_event_time
  from jsonb_to_recordset(p->'runs') as x(run_id text, job_id uuid, kind text, state text, started_at timestamptz,
       ended_at timestamptz, nominal_start timestamptz, nominal_end timestamptz, job_version uuid, facets jsonb,
       states jsonb, io jsonb, first_event_time timestamptz, last_event_time timestamptz)
  on conflict (run_id) do update set updated_at = now(),
    state = case
      when excluded.ended_at is not null and (lin_runs.ended_at is null or excluded.ended_at >= lin_runs.ended_at)
        then excluded.state
      when lin_runs.ended_at is not null then lin_runs.state
      when 'RUNNING' in (excluded.state, lin_runs.state) then 'RUNNING'
      else 'NEW' end,
    started_at = least(lin_runs.started_at, excluded.started_at),
    ended_at = greatest(lin_runs.ended_at, excluded.ended_at),
    nominal_start = coalesce(excluded.nominal_start, lin_runs.nominal_start),
    nominal_end = coalesce(excluded.nominal_end, lin_runs.nominal_end),
    job_version = coalesce(excluded.job_version, lin_runs.job_version),
    facets = case when excluded.last_event_time >= lin_runs.last_event_time
                  then lin_runs.facets || excluded.facets else excluded.facets || lin_runs.facets end,
    states = lin_runs.states || excluded.states,
    io = case when excluded.io <@ lin_runs.io then lin_runs.io
              else (select jsonb_agg(distinct v) from jsonb_array_elements(lin_runs.io || excluded.io) v) end,
    first_event_time = least(lin_runs.first_event_time, excluded.first_event_time),
    last_event_time = greatest(lin_runs.last_event_time, excluded.last_event_time);

  -- Only the edges whose intervals changed are replaced (by the primary key's prefix).
  delete from lin_edges e using jsonb_to_recordset(p->'edge_keys') as x(job_id uuid, dataset_id uuid, direction text)
  where e.job_id = x.job_id and e.dataset_id = x.dataset_id and e.direction = x.direction;
  insert into lin_edges (job_id, dataset_id, direction, valid_from, valid_to)
  select job_id, dataset_id, direction, valid_from, valid_to
  from jsonb_to_recordset(p->'edges') as x(job_id uuid, dataset_id uuid, direction text, valid_from timestamptz,
       valid_to timestamptz)
  on conflict do nothing;

  delete from lin_column_lineage
  where dataset_id = any(array(select value::uuid from jsonb_array_elements_text(p->'cll_datasets')));
  insert into lin_column_lineage (dataset_id, field, input_namespace, input_name, input_field, transformations, updated_at)
  select dataset_id, field, input_namespace, input_name, input_field, transformations, updated_at
  from jsonb_to_recordset(p->'cll') as x(dataset_id uuid, field text, input_namespace text, input_name text,
       input_field text, transformations jsonb, updated_at timestamptz)
  on conflict do nothing;

  insert into lin_column_lineage_history (dataset_id, valid_from, fields)
  select dataset_id, valid_from, fields
  from jsonb_to_recordset(p->'cll_history') as x(dataset_id uuid, valid_from timestamptz, fields jsonb)
  on conflict (dataset_id, valid_from) do update set fields = excluded.fields;

  insert into lin_residency_decisions (job_id, dataset_id, run_id, decision_id, decision, event_time)
  select job_id, dataset_id, run_id, decision_id, decision, event_time
  from jsonb_to_recordset(p->'decisions') as x(job_id uuid, dataset_id uuid, run_id text, decision_id text,
       decision text, event_time timestamptz)
  on conflict (job_id, dataset_id) do update set run_id = excluded.run_id, decision_id = excluded.decision_id,
    decision = excluded.decision, event_time = excluded.event_time
  where excluded.event_time >= lin_residency_decisions.event_time;
  return array[]::text[];
end
$fn$`;
