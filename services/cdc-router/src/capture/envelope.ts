import { PK_CHANGE_HEADERS, Topics, tableTopic } from '@data-spine/contracts';
import type { ChangeEvent, PostgresSource, TransactionEvent } from '@data-spine/contracts';
import { lsnNumber } from './lsn.ts';
import { UNCHANGED_TOAST } from './pgoutput-decoder.ts';
import type { RelationColumn, ReplicaIdentity, Tuple } from './pgoutput-decoder.ts';
import type { CaptureRecord, Lsn } from './types.ts';
import { unavailableValue, valueDecoder } from './value-decoder.ts';
import type { TypeCatalog, ValueDecoder } from './value-decoder.ts';

/** What `source.version` says: this capture, not a Debezium release, wrote the event. */
export const CAPTURE_VERSION = 'spine-capture-1.0';

export interface Relation {
  readonly id: number;
  readonly schema: string;
  readonly table: string;
  readonly topic: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly RelationColumn[];
  readonly decoders: readonly ValueDecoder[];
  readonly unavailable: readonly unknown[];
  /** Positions of the primary-key columns (the Kafka key); empty when the table has none. */
  readonly keyIndexes: readonly number[];
}

export function buildRelation(
  prefix: string,
  message: {
    relationId: number;
    schema: string;
    name: string;
    replicaIdentity: ReplicaIdentity;
    columns: RelationColumn[];
  },
  primaryKey: readonly string[] | undefined,
  catalog?: TypeCatalog,
): Relation {
  const columns = message.columns;
  // The primary key from the catalog; without one, the replica identity columns pgoutput flags (unless FULL,
  // which flags every column).
  const keyNames =
    primaryKey && primaryKey.length > 0
      ? primaryKey
      : message.replicaIdentity === 'f'
        ? []
        : columns.filter((c) => c.isKey).map((c) => c.name);
  return {
    id: message.relationId,
    schema: message.schema,
    table: message.name,
    topic: tableTopic(prefix, message.schema, message.name),
    replicaIdentity: message.replicaIdentity,
    columns,
    decoders: columns.map((c) => valueDecoder(c.typeOid, c.typeMod, catalog)),
    unavailable: columns.map((c) => unavailableValue(c.typeOid, catalog)),
    keyIndexes: keyNames.map((n) => columns.findIndex((c) => c.name === n)).filter((i) => i >= 0),
  };
}

/** A tuple as Debezium's `before`/`after` row. */
export function toRow(
  rel: Relation,
  tuple: readonly (string | null | typeof UNCHANGED_TOAST)[],
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const { columns, decoders } = rel;
  for (let i = 0; i < columns.length; i++) {
    const v = tuple[i];
    const name = (columns[i] as RelationColumn).name;
    if (v === null || v === undefined) row[name] = null;
    else if (v === UNCHANGED_TOAST) row[name] = rel.unavailable[i];
    else row[name] = (decoders[i] as ValueDecoder)(v);
  }
  return row;
}

export function keyOf(rel: Relation, row: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
  if (rel.keyIndexes.length === 0) return null;
  const key: Record<string, unknown> = {};
  for (const i of rel.keyIndexes) {
    const name = (rel.columns[i] as RelationColumn).name;
    key[name] = row[name];
  }
  return key;
}

/** The transaction a change belongs to, as far as the envelope needs it. */
export interface TxInfo {
  xid: number | null;
  /** Commit time in microseconds since the Unix epoch. */
  commitMicros: number;
  /** The first LSN of the transaction as pgoutput reports it (the transaction id's suffix). */
  firstLsn: Lsn;
  /** The end of the transaction before it in this session, null for the first (Debezium's `sequence[0]`). */
  previousCommitEnd: Lsn | null;
  origin: string | null;
  originLsn: Lsn | null;
  totalOrder: number;
  /** Per `schema.table`: events so far (data_collection_order, END's data_collections). */
  perTable: Map<string, number>;
}

export interface EnvelopeContext {
  prefix: string;
  database: string;
  transactionMetadata: boolean;
}

function nowFields(): { ts_ms: number; ts_us: number; ts_ns: number } {
  const us = Date.now() * 1000;
  return { ts_ms: Math.floor(us / 1000), ts_us: us, ts_ns: us * 1000 };
}

function sourceBlock(
  ctx: EnvelopeContext,
  schema: string,
  table: string,
  lsn: Lsn,
  tx: TxInfo | null,
  commitMicros: number,
  snapshot: PostgresSource['snapshot'],
  sequenceFirst: Lsn | null,
): PostgresSource & { origin: string | null; origin_lsn: number | null } {
  return {
    version: CAPTURE_VERSION,
    connector: 'postgresql',
    name: ctx.prefix,
    ts_ms: Math.floor(commitMicros / 1000),
    snapshot,
    db: ctx.database,
    sequence: JSON.stringify([sequenceFirst === null ? null : sequenceFirst.toString(), lsn.toString()]),
    ts_us: commitMicros,
    ts_ns: commitMicros * 1000,
    schema,
    table,
    txId: tx?.xid ?? null,
    lsn: lsnNumber(lsn),
    xmin: null,
    origin: tx?.origin ?? null,
    origin_lsn: tx?.originLsn === null || tx?.originLsn === undefined ? null : lsnNumber(tx.originLsn),
  };
}

export function transactionId(tx: TxInfo): string {
  return `${tx.xid}:${lsnNumber(tx.firstLsn)}`;
}

function transactionBlock(ctx: EnvelopeContext, tx: TxInfo | null, collection: string) {
  if (!ctx.transactionMetadata || !tx) return null;
  tx.totalOrder += 1;
  const n = (tx.perTable.get(collection) ?? 0) + 1;
  tx.perTable.set(collection, n);
  return { id: transactionId(tx), total_order: tx.totalOrder, data_collection_order: n };
}

/** Envelope and key of one row change (`c`, `u`, `d` from the stream, `r` from the snapshot). */
export function rowChangeRecords(
  ctx: EnvelopeContext,
  rel: Relation,
  change:
    | { op: 'c'; after: Tuple }
    | { op: 'u'; before: Tuple | null; after: Tuple }
    | { op: 'd'; before: Tuple }
    | { op: 'r'; after: Tuple; snapshot: NonNullable<PostgresSource['snapshot']> },
  lsn: Lsn,
  tx: TxInfo | null,
  snapshotMicros = 0,
): CaptureRecord[] {
  const collection = `${rel.schema}.${rel.table}`;
  const commitMicros = tx?.commitMicros ?? snapshotMicros;
  const seqFirst = change.op === 'r' ? null : (tx?.previousCommitEnd ?? null);
  const snapshot = change.op === 'r' ? change.snapshot : 'false';
  const make = (
    op: 'c' | 'u' | 'd' | 'r',
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
  ) =>
    ({
      before,
      after,
      source: sourceBlock(ctx, rel.schema, rel.table, lsn, tx, commitMicros, snapshot, seqFirst),
      transaction: transactionBlock(ctx, tx, collection),
      op,
      ...nowFields(),
    }) as ChangeEvent;

  switch (change.op) {
    case 'c':
    case 'r': {
      const after = toRow(rel, change.after);
      return [
        {
          kind: 'change',
          topic: rel.topic,
          key: keyOf(rel, after),
          value: make(change.op, null, after),
          headers: {},
          lsn,
        },
      ];
    }
    case 'd': {
      const before = toRow(rel, change.before);
      const key = keyOf(rel, before);
      const out: CaptureRecord[] = [
        { kind: 'change', topic: rel.topic, key, value: make('d', before, null), headers: {}, lsn },
      ];
      // tombstones.on.delete=true (Debezium's default): log compaction can then drop the key.
      if (key) out.push({ kind: 'tombstone', topic: rel.topic, key, value: null, headers: {}, lsn });
      return out;
    }
    case 'u': {
      const after = toRow(rel, change.after);
      const before = change.before ? toRow(rel, change.before) : null;
      const newKey = keyOf(rel, after);
      const oldKey = before ? keyOf(rel, before) : null;
      if (newKey && oldKey && !sameKey(oldKey, newKey)) {
        // A primary-key change: a delete of the old key, its tombstone, a create of the new key.
        const toNew = { [PK_CHANGE_HEADERS.newKey]: JSON.stringify(newKey) };
        const toOld = { [PK_CHANGE_HEADERS.oldKey]: JSON.stringify(oldKey) };
        return [
          {
            kind: 'change',
            topic: rel.topic,
            key: oldKey,
            value: make('d', before, null),
            headers: toNew,
            lsn,
          },
          { kind: 'tombstone', topic: rel.topic, key: oldKey, value: null, headers: toNew, lsn },
          {
            kind: 'change',
            topic: rel.topic,
            key: newKey,
            value: make('c', null, after),
            headers: toOld,
            lsn,
          },
        ];
      }
      // Without REPLICA IDENTITY FULL there is no old row image: `before` is null (a key-only old tuple is
      // sent only when the key changed, handled above).
      const beforeRow = change.before && rel.replicaIdentity === 'f' ? before : null;
      return [
        {
          kind: 'change',
          topic: rel.topic,
          key: newKey,
          value: make('u', beforeRow, after),
          headers: {},
          lsn,
        },
      ];
    }
  }
}

function sameKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  for (const k of Object.keys(a)) {
    const x = a[k];
    const y = b[k];
    if (x !== y && JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

export function truncateRecord(ctx: EnvelopeContext, rel: Relation, lsn: Lsn, tx: TxInfo): CaptureRecord {
  const value = {
    before: null,
    after: null,
    source: sourceBlock(ctx, rel.schema, rel.table, lsn, tx, tx.commitMicros, 'false', tx.previousCommitEnd),
    transaction: transactionBlock(ctx, tx, `${rel.schema}.${rel.table}`),
    op: 't',
    ...nowFields(),
  } as ChangeEvent;
  return { kind: 'change', topic: rel.topic, key: null, value, headers: {}, lsn };
}

export function messageRecord(
  ctx: EnvelopeContext,
  msg: { prefix: string; content: Buffer; transactional: boolean },
  lsn: Lsn,
  tx: TxInfo | null,
  nowMicros: number,
  previousCommitEnd: Lsn | null,
): CaptureRecord {
  const value = {
    op: 'm',
    ...nowFields(),
    source: sourceBlock(
      ctx,
      '',
      '',
      lsn,
      msg.transactional ? tx : null,
      tx?.commitMicros ?? nowMicros,
      'false',
      previousCommitEnd,
    ),
    transaction: msg.transactional ? transactionBlock(ctx, tx, '') : null,
    message: { prefix: msg.prefix, content: msg.content.toString('base64') },
  } as ChangeEvent;
  return {
    kind: 'change',
    topic: `${ctx.prefix}.message`,
    key: { prefix: msg.prefix },
    value,
    headers: {},
    lsn,
  };
}

export function transactionRecord(
  ctx: EnvelopeContext,
  tx: TxInfo,
  status: 'BEGIN' | 'END',
  lsn: Lsn,
): CaptureRecord {
  const id = transactionId(tx);
  const value: TransactionEvent =
    status === 'BEGIN'
      ? { status, id, event_count: null, data_collections: null, ts_ms: Math.floor(tx.commitMicros / 1000) }
      : {
          status,
          id,
          event_count: tx.totalOrder,
          data_collections: [...tx.perTable].map(([data_collection, event_count]) => ({
            data_collection,
            event_count,
          })),
          ts_ms: Math.floor(tx.commitMicros / 1000),
        };
  return {
    kind: 'transaction',
    topic: Topics.transactions(ctx.prefix),
    key: { id },
    value,
    headers: {},
    lsn,
  };
}

export function heartbeatRecord(ctx: EnvelopeContext, lsn: Lsn): CaptureRecord {
  return {
    kind: 'heartbeat',
    topic: Topics.heartbeat(ctx.prefix),
    key: { serverName: ctx.prefix },
    value: { ts_ms: Date.now() },
    headers: {},
    lsn,
  };
}
