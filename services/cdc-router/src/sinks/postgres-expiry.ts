import type pg from 'pg';
import { ident, qualified } from './pg-identifiers.ts';

/** The source commit time of the change that last wrote a sink row: what a sink's TTL counts from. */
export const SOURCE_TS_COLUMN = '_spine_source_ts';

/** Rows deleted per statement: short transactions and row locks, whatever the backlog. */
const CHUNK = 5_000;

export interface ExpiredRows {
  /** `schema.table`, or `spine.tombstones`. */
  table: string;
  rows: number;
}

/** The index the expiry scans by (`<table>_spine_source_ts`, cut to Postgres's 63 bytes). */
export function sourceTsIndex(table: string): string {
  const name = `${table.split('.').pop() ?? table}${SOURCE_TS_COLUMN}`.slice(0, 63);
  return `create index if not exists ${ident(name)} on ${qualified(table)} (${SOURCE_TS_COLUMN})`;
}

/**
 * Deletes, in every table of the sink database the router writes (those with `_spine_lsn`), the rows whose
 * source commit is older than the table's retention: the shorter of the sink's `ttl` (an ISO 8601
 * duration) and the table's cap in `spine.retention_caps`, if any (rows written before `_spine_source_ts`
 * existed count from `_spine_updated_at`); and the tombstones of deletes older than `ttl`. A row rewritten
 * meanwhile has a new ctid and is not deleted (the delete re-checks it). One sweep per database at a time
 * (advisory lock): several routers may share a sink.
 */
export async function expireRows(client: pg.PoolClient, ttl: string | null): Promise<ExpiredRows[]> {
  const { rows: locked } = await client.query<{ ok: boolean }>(
    `select pg_try_advisory_lock(hashtext('spine.expiry')) as ok`,
  );
  if (!locked[0]?.ok) return [];
  try {
    const { rows: tables } = await client.query<{ tbl: string; has_ts: boolean }>(
      `select table_schema || '.' || table_name as tbl, bool_or(column_name = $1) as has_ts
         from information_schema.columns
        where table_schema <> 'spine' and column_name in ('_spine_lsn', $1)
        group by 1 having bool_or(column_name = '_spine_lsn')
        order by 1`,
      [SOURCE_TS_COLUMN],
    );
    const { rows: bookkept } = await client.query<{ t: string | null; caps: string | null }>(
      `select to_regclass('spine.tombstones')::text as t, to_regclass('spine.retention_caps')::text as caps`,
    );
    const caps = new Map<string, string>();
    if (bookkept[0]?.caps) {
      const { rows } = await client.query<{ tbl: string; ttl: string }>(
        `select tbl, ttl::text as ttl from spine.retention_caps`,
      );
      for (const r of rows) caps.set(r.tbl, r.ttl);
    }
    const out: ExpiredRows[] = [];
    for (const { tbl, has_ts } of tables) {
      const cap = caps.get(tbl) ?? null;
      if (ttl === null && cap === null) continue;
      const q = qualified(tbl);
      // least() ignores a null: the sink's TTL, the table's cap, or the shorter of both.
      const keep = 'least($1::interval, $2::interval)';
      const expired = has_ts
        ? `${SOURCE_TS_COLUMN} < now() - ${keep} or (${SOURCE_TS_COLUMN} is null and _spine_updated_at < now() - ${keep})`
        : `_spine_updated_at < now() - ${keep}`;
      const rows = await chunked(
        client,
        `delete from ${q} where ctid = any(array(select ctid from ${q} where ${expired} limit ${CHUNK}))`,
        [ttl, cap],
      );
      if (rows > 0) out.push({ table: tbl, rows });
    }
    if (bookkept[0]?.t && ttl !== null) {
      const rows = await chunked(
        client,
        `delete from spine.tombstones where ctid = any(array(
           select ctid from spine.tombstones where deleted_at < now() - $1::interval limit ${CHUNK}))`,
        [ttl],
      );
      if (rows > 0) out.push({ table: 'spine.tombstones', rows });
    }
    return out;
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('spine.expiry'))`);
  }
}

async function chunked(client: pg.PoolClient, sql: string, params: unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const n = (await client.query(sql, params)).rowCount ?? 0;
    total += n;
    if (n < CHUNK) return total;
  }
}
