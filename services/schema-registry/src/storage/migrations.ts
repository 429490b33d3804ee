/**
 * The registry's tables. Ids come from a sequence, so they are never reused (even after a permanent delete)
 * and allocating one does not serialize writers of unrelated subjects.
 */
export const MIGRATIONS: readonly string[] = [
  `create table if not exists registry_schema (
     id integer primary key,
     schema_type text not null,
     schema_text text not null,
     canonical text not null,
     identity text not null unique,
     refs jsonb not null default '[]',
     created_at timestamptz not null default now())`,
  `create sequence if not exists registry_schema_id_seq start 1`,
  `create table if not exists registry_subject_version (
     subject text not null,
     version integer not null,
     schema_id integer not null references registry_schema(id),
     deleted boolean not null default false,
     semver text,
     metadata jsonb,
     created_at timestamptz not null default now(),
     primary key (subject, version))`,
  `create index if not exists registry_subject_version_schema on registry_subject_version (schema_id)`,
  `create table if not exists registry_config (
     subject text primary key,
     compatibility text,
     mode text)`,
  `alter table registry_config add column if not exists lint jsonb`,
  `create table if not exists registry_audit (
     id bigserial primary key,
     at timestamptz not null default now(),
     principal text,
     action text not null,
     subject text,
     version integer,
     schema_id integer,
     result text not null,
     detail jsonb)`,
  // Keys issued through /admin/keys: the secret's salted HMAC, never the secret; revoked, never deleted.
  `create table if not exists registry_api_key (
     key text primary key,
     secret_hash text not null,
     roles text[] not null,
     scopes text[] not null,
     created_by text,
     created_at timestamptz not null default now(),
     revoked_at timestamptz)`,
  // Append-only: the service may insert and read, never rewrite history.
  `create or replace function registry_audit_append_only() returns trigger language plpgsql as $$
     begin raise exception 'registry_audit is append-only'; end $$`,
  `do $$ begin
     if not exists (select 1 from pg_trigger where tgname = 'registry_audit_no_change') then
       create trigger registry_audit_no_change before update or delete on registry_audit
         for each row execute function registry_audit_append_only();
     end if;
   end $$`,
];
