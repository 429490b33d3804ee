import type pg from 'pg';
import { CaptureSetupFailed } from './errors.ts';
import { parseLsn } from './lsn.ts';
import type { Lsn } from './types.ts';
import type { TypeCatalog, TypeInfo } from './value-decoder.ts';

/**
 * What the capture asks the source over a normal connection (`pg`): wal_level, tables and their primary
 * keys, user-defined types, the publication, the slot, and the capture's own state row.
 */

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteTable(qualified: string): string {
  const [schema = '', table = ''] = qualified.split('.');
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

export interface TableInfo {
  schema: string;
  table: string;
  primaryKey: string[];
  replicaIdentity: string;
}

export async function checkWalLevel(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ wal_level: string }>('show wal_level');
  if (rows[0]?.wal_level !== 'logical') {
    throw new CaptureSetupFailed(
      `wal_level is ${rows[0]?.wal_level ?? 'unknown'}; logical replication needs wal_level=logical`,
    );
  }
}

export async function loadTables(pool: pg.Pool, tables: readonly string[]): Promise<Map<string, TableInfo>> {
  const { rows } = await pool.query<{ schema: string; table: string; pk: string[]; ident: string }>(
    `select n.nspname as schema, c.relname as table, c.relreplident as ident,
            coalesce(array(select a.attname::text from pg_index i
                             join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                            where i.indrelid = c.oid and i.indisprimary
                            order by array_position(i.indkey::int2[], a.attnum)), '{}') as pk
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and (n.nspname || '.' || c.relname) = any($1::text[])`,
    [tables],
  );
  const out = new Map<string, TableInfo>();
  for (const r of rows) {
    out.set(`${r.schema}.${r.table}`, {
      schema: r.schema,
      table: r.table,
      primaryKey: r.pk,
      replicaIdentity: r.ident,
    });
  }
  const missing = tables.filter((t) => !out.has(t));
  if (missing.length > 0) throw new CaptureSetupFailed(`no such table: ${missing.join(', ')}`);
  return out;
}

/** Domains, enums, arrays of user types: what `valueDecoder` needs beyond the built-in OIDs. */
export async function loadTypeCatalog(pool: pg.Pool): Promise<TypeCatalog> {
  const { rows } = await pool.query<{
    oid: number;
    typtype: string;
    typbasetype: number;
    typelem: number;
    typname: string;
  }>(`select oid::int, typtype, typbasetype::int, typelem::int, typname from pg_type where oid >= 16384`);
  const out = new Map<number, TypeInfo>();
  for (const r of rows)
    out.set(r.oid, { type: r.typtype, baseOid: r.typbasetype, elementOid: r.typelem, name: r.typname });
  return out;
}

/** Creates the publication `FOR TABLE` the tables, or adds the ones it lacks. */
export async function ensurePublication(
  pool: pg.Pool,
  name: string,
  tables: readonly string[],
): Promise<void> {
  const existing = await pool.query<{ puballtables: boolean }>(
    'select puballtables from pg_publication where pubname = $1',
    [name],
  );
  if (existing.rowCount === 0) {
    try {
      await pool.query(
        `create publication ${quoteIdent(name)} for table ${tables.map(quoteTable).join(', ')}`,
      );
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '42710') throw err; // created concurrently
    }
  }
  if (existing.rows[0]?.puballtables) return;
  const { rows } = await pool.query<{ t: string }>(
    `select schemaname || '.' || tablename as t from pg_publication_tables where pubname = $1`,
    [name],
  );
  const have = new Set(rows.map((r) => r.t));
  const add = tables.filter((t) => !have.has(t));
  if (add.length > 0)
    await pool.query(`alter publication ${quoteIdent(name)} add table ${add.map(quoteTable).join(', ')}`);
}

export interface SlotInfo {
  confirmedFlush: Lsn | null;
  plugin: string;
  active: boolean;
  activePid: number | null;
}

export async function slotInfo(pool: pg.Pool, slot: string): Promise<SlotInfo | null> {
  const { rows } = await pool.query<{
    confirmed: string | null;
    plugin: string;
    active: boolean;
    pid: number | null;
  }>(
    `select confirmed_flush_lsn::text as confirmed, plugin, active, active_pid as pid
       from pg_replication_slots where slot_name = $1 and database = current_database()`,
    [slot],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    confirmedFlush: r.confirmed ? parseLsn(r.confirmed) : null,
    plugin: r.plugin,
    active: r.active,
    activePid: r.pid,
  };
}

/** Drops the slot, waiting (briefly) for a previous walsender of ours to let go of it. */
export async function dropSlot(pool: pg.Pool, slot: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const info = await slotInfo(pool, slot);
    if (!info) return;
    if (!info.active) {
      await pool.query('select pg_drop_replication_slot($1)', [slot]);
      return;
    }
    if (attempt > 50) throw new CaptureSetupFailed(`slot ${slot} is in use by pid ${info.activePid}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function slotLagBytes(pool: pg.Pool, slot: string): Promise<number | null> {
  const { rows } = await pool.query<{ lag: number | null }>(
    `select (pg_current_wal_lsn() - confirmed_flush_lsn)::float8 as lag
       from pg_replication_slots where slot_name = $1 and database = current_database()`,
    [slot],
  );
  const lag = rows[0]?.lag;
  return lag === undefined || lag === null ? null : Math.max(0, lag);
}

export interface SnapshotState {
  completed: boolean;
  snapshotLsn: Lsn | null;
}

export async function ensureStateTable(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`create schema if not exists ${quoteIdent(schema)}`);
  await pool.query(
    `create table if not exists ${quoteIdent(schema)}.capture_state (
       slot_name text primary key,
       snapshot_lsn pg_lsn,
       snapshot_completed_at timestamptz,
       tables text[] not null default '{}',
       updated_at timestamptz not null default now())`,
  );
}

export async function readState(pool: pg.Pool, schema: string, slot: string): Promise<SnapshotState | null> {
  const { rows } = await pool.query<{ lsn: string | null; done: boolean }>(
    `select snapshot_lsn::text as lsn, snapshot_completed_at is not null as done
       from ${quoteIdent(schema)}.capture_state where slot_name = $1`,
    [slot],
  );
  const r = rows[0];
  return r ? { completed: r.done, snapshotLsn: r.lsn ? parseLsn(r.lsn) : null } : null;
}

export async function writeState(
  pool: pg.Pool,
  schema: string,
  slot: string,
  state: { snapshotLsn: string | null; completed: boolean; tables: readonly string[] },
): Promise<void> {
  await pool.query(
    `insert into ${quoteIdent(schema)}.capture_state (slot_name, snapshot_lsn, snapshot_completed_at, tables, updated_at)
     values ($1, $2::pg_lsn, case when $3 then now() end, $4, now())
     on conflict (slot_name) do update set snapshot_lsn = excluded.snapshot_lsn,
       snapshot_completed_at = excluded.snapshot_completed_at, tables = excluded.tables, updated_at = now()`,
    [slot, state.snapshotLsn, state.completed, state.tables],
  );
}
