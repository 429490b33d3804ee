/** A record as a consumer sees it. Keys and values are bytes; `null` value is a tombstone. */
export interface BusRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyMap<string, Buffer>;
  /** Milliseconds since the epoch, as the producer or broker stamped it. */
  timestamp: number;
}

export interface OutgoingRecord {
  topic: string;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Readonly<Record<string, Buffer | string>>;
  /** Pick the partition yourself; otherwise Kafka's murmur2 of the key decides (as Java clients do). */
  partition?: number;
}

/** Consecutive records of one partition, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: readonly BusRecord[];
}

/**
 * Handles one batch. Resolve only when the batch's effect is durable: the bus commits the batch's offsets
 * after that, so a crash before it means redelivery, never loss. Reject to have the batch delivered again
 * (after a backoff) or, for an error with `retriable: false`, to stop the subscription.
 */
export type BatchHandler = (batch: RecordBatch, signal: AbortSignal) => Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts. Defaults to the earliest record. */
  from?: 'earliest' | 'latest';
  maxBatchSize?: number;
  /** How long to wait to fill a batch once it has its first record. */
  maxWaitMs?: number;
  /** Backoff bounds for a rejected batch. */
  retry?: { initialMs?: number; maxMs?: number };
}

export interface Subscription {
  /** Settles when the subscription ends: resolves on `close()`, rejects on a non-retriable handler error. */
  readonly done: Promise<void>;
  /** Stops fetching, lets the batch in flight finish and commit, and leaves the group. */
  close(): Promise<void>;
}

export interface Bus {
  readonly kind: 'kafka' | 'in-process';
  /** Resolves when every record is durably accepted (acks=all on Kafka). Per-key order is kept. */
  send(records: readonly OutgoingRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription>;
  createTopic(topic: string, partitions: number): Promise<void>;
  close(): Promise<void>;
}

export const BATCH_DEFAULTS = {
  maxBatchSize: 500,
  maxWaitMs: 50,
  retryInitialMs: 100,
  retryMaxMs: 5_000,
} as const;
