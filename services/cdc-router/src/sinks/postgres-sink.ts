import pg from 'pg';
import type { Logger } from '@data-spine/service-kit';
import { shorterDuration } from '@data-spine/contracts';
import { SinkUnavailable } from '../errors.ts';
import { asPgText, ident, isDataError, keyText, pgTextArray, qualified } from './pg-identifiers.ts';
import { expireRows, SOURCE_TS_COLUMN, sourceTsIndex } from './postgres-expiry.ts';
import type { ExpiredRows } from './postgres-expiry.ts';
import type { ColumnType, RejectedOp, RetentionCap, Sink, SinkOp } from './sink-op.ts';

type Upsert = Extract<SinkOp, { kind: 'upsert' }>;
type Delete = Extract<SinkOp, { kind: 'delete' }>;

interface TableInfo {
  keyColumns: string[];
  /** column -> its Postgres type as `format_type` prints it */
  columns: Map<string, string>;
}

const BOOKKEEPING = `
  create schema if not exists spine;
  create table if not exists spine.tombstones (
    tbl text not null, pk text not null, lsn bigint not null, decision_id text, deleted_at timestamptz not null default now(),
    primary key (tbl, pk));
  create table if not exists spine.truncations (tbl text primary key, lsn bigint not null);
  create table if not exists spine.retention_caps (
    tbl text primary key, ttl interval not null, rule text not null, set_at timestamptz not null default now())`;

/**
 * Records a table's retention cap with the rows written under it, in their transaction. A cap only ever
 * shortens: rows written under a 90-day cap keep it even if a later policy would allow longer.
 */
const CAP_SQL = `insert into spine.retention_caps (tbl, ttl, rule) values ($1, $2::interval, $3)
  on conflict (tbl) do update set ttl = excluded.ttl, rule = excluded.rule, set_at = now()
  where excluded.ttl < spine.retention_caps.ttl`;

/**
 * A Postgres sink. Every row keeps `_spine_lsn` (the source position of the change that wrote it),
 * `_spine_decision_id` and `_spine_source_ts` (its source commit time); an upsert only replaces a row whose
 * position is not newer, and a delete leaves a tombstone (in `spine.tombstones`) so a late, older insert
 * cannot bring the row back. Writes go in one transaction per batch, as `unnest` of one text array per
 * column (one round trip, no parameter limit). With a TTL (the routes file's `ttl`), a change whose source
 * commit is already older than the TTL is not written, and `expire()` deletes the rows that outlived it. A
 * decision's retention cap (`cap_retention`) is recorded per table in `spine.retention_caps` with the rows
 * it covers, and shortens that table's TTL the same way.
 */
export class PostgresSink implements Sink {
  readonly type = 'postgres' as const;
  readonly id: string;
  readonly #pool: pg.Pool;
  readonly #url: URL;
  readonly #log: Logger;
  readonly #tables = new Map<string, TableInfo>();
  /** ISO 8601 duration, read by Postgres as an interval (`P2Y` is two calendar years). */
  readonly ttl: string | null;
  #bookkept = false;
  /** The cap recorded per table, as this process last committed it (skips re-recording it per batch). */
  readonly #caps = new Map<string, string>();

  constructor(id: string, url: string, log: Logger, options: { ttl?: string | undefined } = {}) {
    this.id = id;
    this.ttl = options.ttl ?? null;
    this.#url = new URL(url);
    this.#log = log;
    this.#pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
    this.#pool.on('error', (err) => log.warn({ sink: id, err: err.message }, 'idle sink connection failed'));
  }

  dataset(table: string) {
    return {
      namespace: `postgres://${this.#url.hostname}:${this.#url.port || '5432'}`,
      name: `${decodeURIComponent(this.#url.pathname.slice(1))}.${table}`,
    };
  }

  async ping(): Promise<void> {
    await this.#pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Deletes the rows (and tombstones) whose source commit is older than the TTL or the table's cap. */
  async expire(): Promise<ExpiredRows[]> {
    const client = await this.#pool.connect().catch((err: unknown) => {
      throw this.#down(err);
    });
    let broken = false;
    try {
      return await expireRows(client, this.ttl);
    } catch (err) {
      broken = (err as { code?: string }).code === undefined;
      throw this.#down(err);
    } finally {
      client.release(broken);
    }
  }

  async write(ops: readonly SinkOp[]): Promise<RejectedOp[]> {
    const relevant = ops.filter((o) => o.kind !== 'tombstone');
    if (relevant.length === 0) return [];
    try {
      await this.#transaction(relevant);
      return [];
    } catch (err) {
      if (!isDataError((err as { code?: unknown }).code)) throw this.#down(err);
      // A value a column cannot hold: find the rows to blame, one by one, and write the rest.
      const rejected: RejectedOp[] = [];
      for (const op of relevant) {
        try {
          await this.#transaction([op]);
        } catch (one) {
          if (!isDataError((one as { code?: unknown }).code)) throw this.#down(one);
          rejected.push({ op, error: (one as Error).message });
        }
      }
      return rejected;
    }
  }

  #down(err: unknown): Error {
    return new SinkUnavailable(this.id, (err as Error).message, { cause: err });
  }

  async #transaction(ops: readonly SinkOp[]): Promise<void> {
    const client = await this.#pool.connect().catch((err: unknown) => {
      throw this.#down(err);
    });
    let broken = false;
    try {
      if (!this.#bookkept) {
        await client.query(`select pg_advisory_lock(hashtext('spine.bookkeeping'))`);
        try {
          await client.query(BOOKKEEPING);
        } finally {
          await client.query(`select pg_advisory_unlock(hashtext('spine.bookkeeping'))`);
        }
        this.#bookkept = true;
      }
      for (const op of ops) await this.#ensureTable(client, op);
      const caps = this.#newCaps(ops);
      await client.query('begin');
      try {
        for (const [table, cap] of caps) await client.query(CAP_SQL, [table, cap.ttl, cap.rule]);
        for (const segment of segments(ops)) await this.#applySegment(client, segment);
        await client.query('commit');
        for (const [table, cap] of caps) this.#caps.set(table, cap.ttl);
      } catch (err) {
        await client.query('rollback').catch(() => (broken = true));
        throw err;
      }
    } catch (err) {
      if ((err as { code?: string }).code === undefined) broken = true;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Per table, the shortest cap of the ops when it is not the one already recorded. */
  #newCaps(ops: readonly SinkOp[]): Map<string, RetentionCap> {
    const caps = new Map<string, RetentionCap>();
    for (const op of ops) {
      if (op.retention === null) continue;
      const had = caps.get(op.table);
      if (!had || shorterDuration(op.retention.ttl, had.ttl) !== had.ttl) caps.set(op.table, op.retention);
    }
    for (const [table, cap] of caps) if (this.#caps.get(table) === cap.ttl) caps.delete(table);
    return caps;
  }

  async #ensureTable(client: pg.PoolClient, op: SinkOp): Promise<TableInfo | null> {
    const known = this.#tables.get(op.table);
    const wanted =
      op.kind === 'upsert' ? Object.keys(op.row) : op.kind === 'delete' ? Object.keys(op.key) : [];
    if (known && known.columns.has(SOURCE_TS_COLUMN) && wanted.every((c) => known.columns.has(c)))
      return known;
    const keyColumns = op.kind === 'upsert' || op.kind === 'delete' ? Object.keys(op.key) : [];
    const q = qualified(op.table);
    await client.query('select pg_advisory_lock(hashtext($1))', [op.table]);
    try {
      let info = await this.#describe(client, op.table);
      // Truncating a table the sink never received: only the watermark is kept.
      if (!info && op.kind === 'truncate') return null;
      if (!info) {
        if (keyColumns.length === 0)
          throw new SinkUnavailable(this.id, `table ${op.table} does not exist yet`);
        const schema = op.table.split('.')[0] as string;
        const cols = wanted.map((c) => `${ident(c)} ${typeFor(op.columnTypes, c)}`);
        await client.query(`create schema if not exists ${ident(schema)}`);
        await client.query(
          `create table if not exists ${q} (${cols.join(', ')},
             _spine_lsn bigint not null, _spine_decision_id text not null,
             _spine_updated_at timestamptz not null default now(), ${SOURCE_TS_COLUMN} timestamptz,
             primary key (${keyColumns.map(ident).join(', ')}))`,
        );
        info = await this.#describe(client, op.table);
        if (!info) throw new SinkUnavailable(this.id, `table ${op.table} could not be created`);
      }
      // Tables made before the column existed get it (their rows expire by _spine_updated_at until rewritten).
      if (!info.columns.has(SOURCE_TS_COLUMN) || !this.#tables.has(op.table)) {
        await client.query(`alter table ${q} add column if not exists ${SOURCE_TS_COLUMN} timestamptz`);
        await client.query(sourceTsIndex(op.table));
      }
      for (const c of wanted) {
        if (!info.columns.has(c)) {
          await client.query(
            `alter table ${q} add column if not exists ${ident(c)} ${typeFor(op.columnTypes, c)}`,
          );
          this.#log.info({ sink: this.id, table: op.table, column: c }, 'added a sink column');
        }
      }
      const final = await this.#describe(client, op.table);
      if (!final) throw new SinkUnavailable(this.id, `table ${op.table} disappeared`);
      this.#tables.set(op.table, final);
      return final;
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [op.table]);
    }
  }

  async #describe(client: pg.PoolClient, table: string): Promise<TableInfo | null> {
    const { rows } = await client.query<{
      attname: string;
      type: string;
      key: boolean;
      keypos: number | null;
    }>(
      `select a.attname, format_type(a.atttypid, a.atttypmod) as type,
              coalesce(a.attnum = any(i.indkey), false) as key,
              array_position(i.indkey::int2[], a.attnum) as keypos
         from pg_attribute a
         left join pg_index i on i.indrelid = a.attrelid and i.indisprimary
        where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped
        order by a.attnum`,
      [qualified(table)],
    );
    if (rows.length === 0) return null;
    const keys = rows.filter((r) => r.key).sort((a, b) => (a.keypos ?? 0) - (b.keypos ?? 0));
    return { keyColumns: keys.map((r) => r.attname), columns: new Map(rows.map((r) => [r.attname, r.type])) };
  }

  async #applySegment(client: pg.PoolClient, ops: readonly SinkOp[]): Promise<void> {
    const first = ops[0];
    if (first?.kind === 'truncate') {
      const lsn = String(first.position);
      await client.query(
        `insert into spine.truncations (tbl, lsn) values ($1, $2)
           on conflict (tbl) do update set lsn = greatest(spine.truncations.lsn, excluded.lsn)`,
        [first.table, lsn],
      );
      if (this.#tables.has(first.table))
        await client.query(`delete from ${qualified(first.table)} where _spine_lsn < $1`, [lsn]);
      await client.query('delete from spine.tombstones where tbl = $1 and lsn < $2', [first.table, lsn]);
      return;
    }
    // Per table and key, only the newest change matters (the guard would discard the others anyway).
    const byTable = new Map<string, Map<string, Upsert | Delete>>();
    for (const op of ops) {
      if (op.kind !== 'upsert' && op.kind !== 'delete') continue;
      const info = this.#tables.get(op.table) as TableInfo;
      const k = keyText(op.key, info.keyColumns);
      const perKey = byTable.get(op.table) ?? new Map<string, Upsert | Delete>();
      const prev = perKey.get(k);
      if (!prev || prev.position <= op.position) {
        // An update without the columns Debezium could not read (TOAST) keeps them from the earlier change.
        if (prev?.kind === 'upsert' && op.kind === 'upsert')
          perKey.set(k, { ...op, row: { ...prev.row, ...op.row } });
        else perKey.set(k, op);
      }
      byTable.set(op.table, perKey);
    }
    for (const [table, perKey] of byTable) {
      const info = this.#tables.get(table) as TableInfo;
      const deletes: Delete[] = [];
      const deleteKeys: string[] = [];
      const upserts = new Map<string, { ops: Upsert[]; pks: string[] }>();
      for (const [pk, op] of perKey) {
        if (op.kind === 'delete') {
          deletes.push(op);
          deleteKeys.push(pk);
        } else {
          const sig = Object.keys(op.row).sort().join(',');
          let group = upserts.get(sig);
          if (!group) upserts.set(sig, (group = { ops: [], pks: [] }));
          group.ops.push(op);
          group.pks.push(pk);
        }
      }
      if (deletes.length > 0) await this.#delete(client, table, info, deletes, deleteKeys);
      for (const group of upserts.values()) await this.#upsert(client, table, info, group.ops, group.pks);
    }
  }

  async #upsert(
    client: pg.PoolClient,
    table: string,
    info: TableInfo,
    ops: Upsert[],
    pks: string[],
  ): Promise<void> {
    const cols = Object.keys((ops[0] as Upsert).row).sort();
    const params: unknown[] = [table];
    for (const c of cols) params.push(pgTextArray(ops.map((o) => asPgText(o.row[c]))));
    params.push(pgTextArray(pks));
    params.push(pgTextArray(ops.map((o) => String(o.position))));
    params.push(pgTextArray(ops.map((o) => o.decisionId)));
    params.push(pgTextArray(ops.map((o) => (o.sourceTsMs === null ? null : String(o.sourceTsMs)))));
    params.push(this.ttl);
    let cap: string | null = null;
    for (const o of ops)
      if (o.retention) cap = cap === null ? o.retention.ttl : shorterDuration(cap, o.retention.ttl);
    params.push(cap);
    const n = cols.length;
    const alias = cols.map((_, i) => `c${i}`);
    const unnest = [
      ...cols.map((_, i) => `$${i + 2}::text[]`),
      `$${n + 2}::text[]`,
      `$${n + 3}::text[]`,
      `$${n + 4}::text[]`,
      `$${n + 5}::text[]`,
    ];
    const select = cols.map((c, i) => `u.c${i}::${info.columns.get(c) ?? 'text'}`);
    const q = qualified(table);
    const keySet = new Set(info.keyColumns);
    const updates = [
      ...cols.filter((c) => !keySet.has(c)),
      '_spine_lsn',
      '_spine_decision_id',
      '_spine_updated_at',
      SOURCE_TS_COLUMN,
    ]
      .map((c) => `${ident(c)} = excluded.${ident(c)}`)
      .join(', ');
    await client.query(
      `insert into ${q} (${cols.map(ident).join(', ')}, _spine_lsn, _spine_decision_id, _spine_updated_at, ${SOURCE_TS_COLUMN})
       select ${select.join(', ')}, u.lsn::bigint, u.did, now(), to_timestamp(u.ts::float8 / 1000)
         from unnest(${unnest.join(', ')}) as u(${[...alias, 'pk', 'lsn', 'did', 'ts'].join(', ')})
        where not exists (select 1 from spine.tombstones t where t.tbl = $1 and t.pk = u.pk and t.lsn >= u.lsn::bigint)
          and u.lsn::bigint >= coalesce((select lsn from spine.truncations where tbl = $1), -1)
          and (least($${n + 6}::interval, $${n + 7}::interval) is null or u.ts is null
               or to_timestamp(u.ts::float8 / 1000) >= now() - least($${n + 6}::interval, $${n + 7}::interval))
       on conflict (${info.keyColumns.map(ident).join(', ')}) do update set ${updates}
        where ${q}._spine_lsn <= excluded._spine_lsn`,
      params,
    );
  }

  async #delete(
    client: pg.PoolClient,
    table: string,
    info: TableInfo,
    ops: Delete[],
    pks: string[],
  ): Promise<void> {
    await client.query(
      `insert into spine.tombstones (tbl, pk, lsn, decision_id)
       select $1, u.pk, u.lsn::bigint, u.did from unnest($2::text[], $3::text[], $4::text[]) as u(pk, lsn, did)
       on conflict (tbl, pk) do update set lsn = excluded.lsn, decision_id = excluded.decision_id, deleted_at = now()
        where spine.tombstones.lsn < excluded.lsn`,
      [
        table,
        pgTextArray(pks),
        pgTextArray(ops.map((o) => String(o.position))),
        pgTextArray(ops.map((o) => o.decisionId)),
      ],
    );
    const k = info.keyColumns;
    const params: unknown[] = k.map((c) => pgTextArray(ops.map((o) => asPgText(o.key[c]))));
    params.push(pgTextArray(ops.map((o) => String(o.position))));
    const q = qualified(table);
    await client.query(
      `delete from ${q} using (
         select ${k.map((c, i) => `u.k${i}::${info.columns.get(c) ?? 'text'} as k${i}`).join(', ')}, u.lsn::bigint as lsn
           from unnest(${[...k.map((_, i) => `$${i + 1}::text[]`), `$${k.length + 1}::text[]`].join(', ')})
             as u(${[...k.map((_, i) => `k${i}`), 'lsn'].join(', ')})) d
        where ${k.map((c, i) => `${q}.${ident(c)} = d.k${i}`).join(' and ')} and ${q}._spine_lsn <= d.lsn`,
      params,
    );
  }
}

function typeFor(types: Readonly<Record<string, ColumnType>>, column: string): ColumnType {
  return types[column] ?? 'text';
}

/** Splits ops at truncates: each truncate is a segment of its own, applied in order. */
function segments(ops: readonly SinkOp[]): SinkOp[][] {
  const out: SinkOp[][] = [];
  let current: SinkOp[] = [];
  for (const op of ops) {
    if (op.kind === 'truncate') {
      if (current.length) out.push(current);
      out.push([op]);
      current = [];
    } else current.push(op);
  }
  if (current.length) out.push(current);
  return out;
}
