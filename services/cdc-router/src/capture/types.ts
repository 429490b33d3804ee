import type { ChangeEvent, HeartbeatEvent, TransactionEvent } from '@data-spine/contracts';

/** A WAL position as a 64-bit integer (Postgres prints it as `X/Y`; see `formatLsn`). */
export type Lsn = bigint;

/**
 * One record as Debezium would have written it to Kafka: the topic, the key (the primary-key columns,
 * `{prefix}` for a logical message, `{id}` for a transaction event, `{serverName}` for a heartbeat), the value
 * (`null` is a tombstone) and the headers (`__debezium.newkey` / `__debezium.oldkey` on a primary-key change,
 * as JSON of the other key). `parseChangeRecord(record.value, record.headers)` from @data-spine/contracts
 * accepts the `change` and `tombstone` kinds unchanged.
 */
export type CaptureRecord =
  | {
      readonly kind: 'change';
      readonly topic: string;
      readonly key: Readonly<Record<string, unknown>> | null;
      readonly value: ChangeEvent;
      readonly headers: Readonly<Record<string, string>>;
      /** The WAL position of this change (the snapshot's consistent point for op `r`). */
      readonly lsn: Lsn;
    }
  | {
      readonly kind: 'tombstone';
      readonly topic: string;
      readonly key: Readonly<Record<string, unknown>>;
      readonly value: null;
      readonly headers: Readonly<Record<string, string>>;
      readonly lsn: Lsn;
    }
  | {
      /** `<prefix>.transaction` (only with `transactionMetadata: true`). */
      readonly kind: 'transaction';
      readonly topic: string;
      readonly key: { readonly id: string };
      readonly value: TransactionEvent;
      readonly headers: Readonly<Record<string, string>>;
      readonly lsn: Lsn;
    }
  | {
      /** `__debezium-heartbeat.<prefix>` (only with `heartbeatIntervalMs > 0`). */
      readonly kind: 'heartbeat';
      readonly topic: string;
      readonly key: { readonly serverName: string };
      readonly value: HeartbeatEvent;
      readonly headers: Readonly<Record<string, string>>;
      readonly lsn: Lsn;
    };

export interface CaptureBatch {
  /** In source order: per key, per transaction, and across transactions in commit order. */
  readonly records: readonly CaptureRecord[];
  /** `snapshot` batches hold op `r` rows read under the slot's exported snapshot; then `stream`. */
  readonly phase: 'snapshot' | 'stream';
  /**
   * The position to acknowledge (`capture.ack(batch.lsn)`) once every record of this batch, and of every
   * batch before it, is durable in the sinks. For a batch that ends inside a transaction this is the end of
   * the last whole transaction before it, so a restart redelivers the rest of that transaction.
   */
  readonly lsn: Lsn;
  /** Monotonic number of the batch within this capture (starts at 1; restarts at 1 on a new capture). */
  readonly seq: number;
}

/** What the router reads: a source database's changes as Debezium records, in batches, acknowledged by LSN. */
export interface Capture {
  /**
   * Connects, creates the publication, the slot and the state table if missing, and decides whether an
   * initial snapshot is due (a new slot, or one whose snapshot never finished). Idempotent.
   */
  start(): Promise<void>;
  /**
   * The next batch; waits up to `batchMaxWaitMs` once the first record of a batch is there. Resolves
   * `null` after `close()`. Rejects with a `CaptureError` when the source fails for good (a replication
   * connection that drops is reconnected with backoff: records not acknowledged are delivered again).
   */
  next(): Promise<CaptureBatch | null>;
  /** The same, as an async iterator (ends at `close()`). */
  [Symbol.asyncIterator](): AsyncIterator<CaptureBatch>;
  /**
   * Acknowledges everything up to `lsn` (a `batch.lsn` already delivered) after the sink commit. Only now
   * is the flushed position reported to Postgres (Standby Status Update), so the slot never moves past a
   * change the sinks do not hold. Acknowledging a position not yet delivered throws.
   */
  ack(lsn: Lsn): void;
  /** `pg_current_wal_lsn() - confirmed_flush_lsn` of the slot in bytes, or null if the slot is missing. */
  slotLagBytes(): Promise<number | null>;
  /** The highest acknowledged position, and what was last reported to the server as flushed. */
  positions(): { delivered: Lsn; acknowledged: Lsn; reported: Lsn };
  /** Stops replication (CopyDone, Terminate), reports the acknowledged position, closes every connection. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The minimal logger the capture needs (a pino logger fits). */
export interface CaptureLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
