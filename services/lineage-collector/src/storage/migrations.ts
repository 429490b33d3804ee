import { INGEST_FUNCTION } from './ingest-function.ts';

/** Idempotent DDL, run in order at boot under an advisory lock. */
export const MIGRATIONS: readonly string[] = [
  `create table if not exists lin_events (
     hash text primary key,
     seq bigserial not null,
     event_time timestamptz not null,
     received_at timestamptz not null default now(),
     kind text not null,
     event_type text,
     run_id text,
     job_namespace text,
     job_name text,
     body jsonb not null)`,
  `create index if not exists lin_events_time on lin_events (event_time, seq)`,
  `create table if not exists lin_namespaces (
     name text primary key,
     created_at timestamptz not null,
     updated_at timestamptz not null)`,
  `create table if not exists lin_datasets (
     id uuid primary key,
     namespace text not null,
     name text not null,
     created_at timestamptz not null,
     updated_at timestamptz not null,
     facets jsonb not null,
     current_version uuid)`,
  `create table if not exists lin_dataset_versions (
     id uuid primary key,
     dataset_id uuid not null references lin_datasets (id),
     created_at timestamptz not null,
     run_id text,
     fields jsonb not null,
     facets jsonb not null)`,
  `create index if not exists lin_dataset_versions_ds on lin_dataset_versions (dataset_id, created_at desc)`,
  `create table if not exists lin_jobs (
     id uuid primary key,
     namespace text not null,
     name text not null,
     created_at timestamptz not null,
     updated_at timestamptz not null,
     facets jsonb not null,
     current_version uuid,
     latest_run_id text)`,
  `create table if not exists lin_job_versions (
     id uuid primary key,
     job_id uuid not null references lin_jobs (id),
     created_at timestamptz not null,
     inputs jsonb not null,
     outputs jsonb not null)`,
  `create table if not exists lin_runs (
     run_id text primary key,
     job_id uuid not null references lin_jobs (id),
     kind text not null default 'run' check (kind in ('run', 'job-event')),
     created_at timestamptz not null,
     updated_at timestamptz not null,
     state text not null default 'NEW',
     started_at timestamptz,
     ended_at timestamptz,
     nominal_start timestamptz,
     nominal_end timestamptz,
     job_version uuid,
     facets jsonb not null,
     -- The state history: [{type, time}], in arrival order.
     states jsonb not null default '[]',
     -- The run's inputs and outputs: ["in|<dataset id>", "out|<dataset id>"].
     io jsonb not null default '[]',
     first_event_time timestamptz not null,
     last_event_time timestamptz not null)`,
  `create index if not exists lin_runs_job on lin_runs (job_id, first_event_time desc) where kind = 'run'`,
  // A job version's latest run (GET .../jobs/{job}/versions): one index probe per version.
  `create index if not exists lin_runs_job_version on lin_runs (job_version, first_event_time desc) where kind = 'run'`,
  // Failed runs across jobs, newest failure first (GET /api/v1/runs): only failures are in it, so it stays
  // small. Its predicate names state, so a run's state change is no longer a HOT update.
  `create index if not exists lin_runs_failed on lin_runs (ended_at desc, run_id)
     where kind = 'run' and state in ('FAILED', 'ABORTED')`,
  `create table if not exists lin_edges (
     job_id uuid not null,
     dataset_id uuid not null,
     direction text not null check (direction in ('in', 'out')),
     valid_from timestamptz not null,
     valid_to timestamptz,
     primary key (job_id, dataset_id, direction, valid_from))`,
  `create index if not exists lin_edges_dataset on lin_edges (dataset_id, direction)`,
  `create table if not exists lin_column_lineage (
     dataset_id uuid not null,
     field text not null,
     input_namespace text not null,
     input_name text not null,
     input_field text not null,
     transformations jsonb not null,
     updated_at timestamptz not null,
     primary key (dataset_id, field, input_namespace, input_name, input_field))`,
  // The column lineage over time (a row where it changed; fields: {field: [input field]}), for asOf.
  `create table if not exists lin_column_lineage_history (
     dataset_id uuid not null,
     valid_from timestamptz not null,
     fields jsonb not null,
     primary key (dataset_id, valid_from))`,
  // Databases from before the history: the current column lineage becomes its first entry.
  `insert into lin_column_lineage_history (dataset_id, valid_from, fields)
   select dataset_id, max(updated_at), jsonb_object_agg(field, inputs) from (
     select dataset_id, field, max(updated_at) as updated_at,
            jsonb_agg(jsonb_build_object('namespace', input_namespace, 'name', input_name, 'field', input_field)
                      || transformations) as inputs
     from lin_column_lineage group by dataset_id, field) f
   where not exists (select 1 from lin_column_lineage_history h where h.dataset_id = f.dataset_id)
   group by dataset_id`,
  `create table if not exists lin_residency_decisions (
     job_id uuid not null,
     dataset_id uuid not null,
     run_id text,
     decision_id text not null,
     decision text not null,
     event_time timestamptz not null,
     primary key (job_id, dataset_id))`,
  `create table if not exists lin_registry_field_tags (
     dataset_id uuid primary key,
     subject text not null,
     version integer not null,
     field_tags jsonb not null,
     fetched_at timestamptz not null)`,
  // Ids derive from (namespace, name), so these indexes only cost writes; nothing reads by them.
  `drop index if exists lin_events_run`,
  `alter table lin_datasets drop constraint if exists lin_datasets_namespace_name_key`,
  `alter table lin_jobs drop constraint if exists lin_jobs_namespace_name_key`,
  // The return type changed from void to text[]: replace needs the old one gone.
  `do $$ begin
     if exists (select 1 from pg_proc where proname = 'lin_ingest' and prorettype = 'void'::regtype) then
       drop function lin_ingest(jsonb);
     end if;
   end $$`,
  INGEST_FUNCTION,
];
