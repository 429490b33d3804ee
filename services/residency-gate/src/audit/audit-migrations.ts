/** The audit schema. Append-only twice over: triggers refuse UPDATE, DELETE and TRUNCATE for every role,
 * and the service works as `spine_gate_app`, a role granted SELECT and INSERT only. */
export const AUDIT_ROLE = 'spine_gate_app';

export const MIGRATIONS: readonly string[] = [
  `create table if not exists gate_audit (
     seq bigint primary key,
     decision_id text not null,
     ts timestamptz not null,
     record text not null,
     hash text not null
   )`,
  // The old per-record rows: read by seq (the primary key); a BRIN on ts, kept from when they were written.
  `drop index if exists gate_audit_ts`,
  `drop index if exists gate_audit_decision`,
  `create index if not exists gate_audit_ts_brin on gate_audit using brin (ts)`,
  // Records are kept a block per row since 2026-12 (see row-block.ts); rows of gate_audit, one per record,
  // written before, are still read, ahead of the blocks. Blocks never overlap, so a gate that chained
  // from a stale head fails on the first seq (23505) or the overlap (23P01) instead of forking the chain.
  `create table if not exists gate_audit_block (
     first_seq bigint primary key,
     last_seq bigint not null,
     last_hash text not null,
     records text not null,
     hashes text not null,
     constraint gate_audit_block_seqs check (last_seq >= first_seq),
     constraint gate_audit_block_no_overlap exclude using gist (int8range(first_seq, last_seq, '[]') with &&)
   )`,
  // lz4 where the server has it (PostgreSQL 14+ built with it): several times faster than pglz. Set once:
  // the ALTER locks the table, so it runs only while a column is not lz4 yet, and waits at most a second.
  `do $$ begin
     if exists (select 1 from pg_attribute
                 where attrelid = 'gate_audit_block'::regclass and attname in ('records', 'hashes')
                   and attcompression is distinct from 'l') then
       set local lock_timeout = '1s';
       alter table gate_audit_block alter column records set compression lz4,
                                    alter column hashes set compression lz4;
     end if;
   exception when feature_not_supported then
     raise notice 'lz4 is not available on this server; audit blocks use the default compression';
   end $$`,
  `create table if not exists gate_audit_checkpoint (
     seq bigint primary key,
     hash text not null,
     ts timestamptz not null,
     key_id text not null,
     public_key text not null,
     signature text not null
   )`,
  `create or replace function gate_audit_refuse() returns trigger language plpgsql as $$
   begin
     raise exception 'the gate audit log is append-only: % on % refused', tg_op, tg_table_name
       using errcode = 'insufficient_privilege';
   end $$`,
  `create or replace trigger gate_audit_no_change before update or delete on gate_audit
     for each row execute function gate_audit_refuse()`,
  `create or replace trigger gate_audit_no_truncate before truncate on gate_audit
     for each statement execute function gate_audit_refuse()`,
  // Gates of this version never write gate_audit; refusing its inserts keeps a gate of an older version
  // (a rolling upgrade) from forking the chain there: its decisions fail (503) instead.
  `create or replace function gate_audit_superseded() returns trigger language plpgsql as $$
   begin
     raise exception 'gate_audit is superseded by gate_audit_block: this gate is older than the database it writes to'
       using errcode = 'object_not_in_prerequisite_state';
   end $$`,
  `create or replace trigger gate_audit_superseded before insert on gate_audit
     for each statement execute function gate_audit_superseded()`,
  `create or replace trigger gate_audit_block_no_change before update or delete on gate_audit_block
     for each row execute function gate_audit_refuse()`,
  `create or replace trigger gate_audit_block_no_truncate before truncate on gate_audit_block
     for each statement execute function gate_audit_refuse()`,
  `create or replace trigger gate_audit_checkpoint_no_change before update or delete on gate_audit_checkpoint
     for each row execute function gate_audit_refuse()`,
  `create or replace trigger gate_audit_checkpoint_no_truncate before truncate on gate_audit_checkpoint
     for each statement execute function gate_audit_refuse()`,
];

/**
 * Creating the role needs CREATEROLE (or superuser), and is skipped when it exists (a DBA may have made
 * it); where it can be neither made nor found, the triggers still hold.
 */
export const ROLE_SETUP: readonly string[] = [
  `do $$ begin
     if not exists (select 1 from pg_roles where rolname = '${AUDIT_ROLE}') then
       create role ${AUDIT_ROLE} nologin;
     end if;
   exception when duplicate_object or unique_violation then null;
   end $$`,
  `do $$ begin
     if not pg_has_role(current_user, '${AUDIT_ROLE}', 'MEMBER') then
       execute format('grant ${AUDIT_ROLE} to %I', current_user);
     end if;
   exception when duplicate_object or unique_violation then null;
   end $$`,
  `grant usage on schema public to ${AUDIT_ROLE}`,
  `revoke all on gate_audit, gate_audit_block, gate_audit_checkpoint from ${AUDIT_ROLE}`,
  `grant select on gate_audit to ${AUDIT_ROLE}`,
  `grant select, insert on gate_audit_block, gate_audit_checkpoint to ${AUDIT_ROLE}`,
  `revoke update, delete, truncate on gate_audit, gate_audit_block, gate_audit_checkpoint from public`,
];
