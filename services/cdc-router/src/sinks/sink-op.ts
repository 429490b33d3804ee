import type { Row } from '@data-spine/contracts';

/** A decision's cap on how long the sink may keep a table's rows (an ISO 8601 duration) and its rule. */
export interface RetentionCap {
  ttl: string;
  rule: string;
}

/** Postgres column types the router creates sink columns with, from the contract's simplified types. */
export type ColumnType = 'text' | 'bigint' | 'numeric' | 'boolean' | 'jsonb';

interface OpBase {
  routeId: string;
  /** `schema.table`, as in the source. */
  table: string;
  /** The source position (the change's LSN): a sink never lets an older position overwrite a newer one. */
  position: bigint;
  decisionId: string;
  sourceTsMs: number | null;
  /** Index of the source record in the batch (to dead-letter it if the sink rejects it). */
  ref: number;
  /** Column types to create missing columns with. */
  columnTypes: Readonly<Record<string, ColumnType>>;
  /** The decision's retention cap for the table, kept by the sink with the rows; null: the sink's TTL. */
  retention: RetentionCap | null;
}

export type SinkOp =
  | (OpBase & { kind: 'upsert'; op: 'c' | 'r' | 'u'; key: Row; row: Row; before: Row | null })
  | (OpBase & { kind: 'delete'; key: Row; before: Row })
  /**
   * A truncate, or the end of a table's snapshot (`snapshotEnd`): rows older than the position were not in
   * the source at that point (deleted while no slot recorded it) and go.
   */
  | (OpBase & { kind: 'truncate'; snapshotEnd?: boolean })
  | (OpBase & { kind: 'tombstone'; key: Row });

/** A row the sink refused (a value its column cannot hold), to be dead-lettered. */
export interface RejectedOp {
  op: SinkOp;
  error: string;
}

export interface Sink {
  readonly id: string;
  readonly type: 'postgres' | 'kafka';
  /** Writes every op durably, in order per key; returns the ops it refused as bad data. Throws when down. */
  write(ops: readonly SinkOp[]): Promise<RejectedOp[]>;
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** The OpenLineage dataset namespace (postgres://host:port or kafka://host:port) and name of a table. */
  dataset(table: string): { namespace: string; name: string };
}
