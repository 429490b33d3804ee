import type { PostgresSource } from '@data-spine/contracts';
import { buildRelation, rowChangeRecords } from './envelope.ts';
import type { EnvelopeContext, Relation } from './envelope.ts';
import type { RelationColumn } from './pgoutput-decoder.ts';
import { quoteIdent, quoteTable } from './source-catalog.ts';
import type { TableInfo } from './source-catalog.ts';
import type { CaptureRecord, Lsn } from './types.ts';
import type { TypeCatalog } from './value-decoder.ts';
import type { WireClient } from './wire-client.ts';

type Marker = NonNullable<PostgresSource['snapshot']>;

/**
 * Reads every captured table inside the transaction whose snapshot is the slot's (USE_SNAPSHOT), so the
 * rows are exactly the state at the slot's consistent point: nothing lost, nothing twice. Rows go out as op
 * `r` with Debezium's snapshot markers (`first`, `first_in_data_collection`, `true`,
 * `last_in_data_collection`, `last`). `emit` may wait (backpressure).
 */
export async function readSnapshot(
  client: WireClient,
  ctx: EnvelopeContext,
  tables: readonly TableInfo[],
  catalog: TypeCatalog,
  consistentPoint: Lsn,
  fetchSize: number,
  /** `final` is set on the last call (possibly with no records): every row has been emitted. */
  emit: (records: CaptureRecord[], final: boolean) => Promise<void>,
): Promise<number> {
  const xminResult = await client.query(
    'select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin',
  );
  const xmin = Number(xminResult[0]?.rows[0]?.[0] ?? 0);
  const startedMicros = Date.now() * 1000;
  const tx = null;
  let held: { rel: Relation; row: (string | null)[]; firstInTable: boolean } | null = null;
  let first = true;
  let count = 0;
  let pending: CaptureRecord[] = [];

  const flushHeld = async (marker: Marker) => {
    if (!held) return;
    const records = rowChangeRecords(
      ctx,
      held.rel,
      { op: 'r', after: held.row, snapshot: marker },
      consistentPoint,
      tx,
      startedMicros,
    );
    for (const r of records) {
      if (r.kind === 'change') (r.value.source as { txId: number | null }).txId = xmin;
      pending.push(r);
    }
    count += 1;
    if (pending.length >= fetchSize) {
      const out = pending;
      pending = [];
      await emit(out, false);
    }
  };

  for (const info of tables) {
    const rel = await snapshotRelation(client, ctx, info, catalog);
    const cursor = quoteIdent(`spine_snapshot_${rel.id}`);
    const columns = rel.columns.map((c) => quoteIdent(c.name)).join(', ');
    await client.query(
      `declare ${cursor} no scroll cursor for select ${columns} from ${quoteTable(`${info.schema}.${info.table}`)}`,
    );
    let firstInTable = true;
    for (;;) {
      const result = await client.query(`fetch forward ${fetchSize} from ${cursor}`);
      const rows = result[0]?.rows ?? [];
      for (const row of rows) {
        if (held) {
          const lastInTable = held.rel !== rel;
          await flushHeld(
            first
              ? 'first'
              : lastInTable
                ? 'last_in_data_collection'
                : held.firstInTable
                  ? 'first_in_data_collection'
                  : 'true',
          );
          first = false;
        }
        held = { rel, row, firstInTable };
        firstInTable = false;
      }
      if (rows.length < fetchSize) break;
    }
    await client.query(`close ${cursor}`);
  }
  await flushHeld('last');
  await emit(pending, true);
  return count;
}

async function snapshotRelation(
  client: WireClient,
  ctx: EnvelopeContext,
  info: TableInfo,
  catalog: TypeCatalog,
): Promise<Relation> {
  const table = quoteTable(`${info.schema}.${info.table}`);
  const escaped = table.replaceAll("'", "''");
  const result = await client.query(
    `select c.oid::int, c.relreplident, a.attname, a.atttypid::int, a.atttypmod
       from pg_class c join pg_attribute a on a.attrelid = c.oid
      where c.oid = '${escaped}'::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
  );
  const rows = result[0]?.rows ?? [];
  const columns: RelationColumn[] = rows.map((r) => ({
    name: r[2] ?? '',
    typeOid: Number(r[3]),
    typeMod: Number(r[4]),
    isKey: info.primaryKey.includes(r[2] ?? ''),
  }));
  const relationId = Number(rows[0]?.[0] ?? 0);
  const replicaIdentity = (rows[0]?.[1] ?? 'd') as 'd' | 'n' | 'f' | 'i';
  return buildRelation(
    ctx.prefix,
    { relationId, schema: info.schema, name: info.table, replicaIdentity, columns },
    info.primaryKey,
    catalog,
  );
}
