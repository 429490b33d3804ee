import type { ChangeEvent } from '@data-spine/contracts';

/** Where a change came from: a Kafka record (distributed mode) or the WAL (embedded mode). */
export interface RecordOrigin {
  topic: string;
  partition: number | null;
  offset: string | null;
}

/**
 * A record of a Debezium table topic, as either consumer hands it over: Kafka records as they are, the
 * embedded capture's events with the topic name Debezium would have given them.
 */
export interface SourceRecord {
  origin: RecordOrigin;
  key: Buffer | string | object | null;
  value: Buffer | string | object | null;
  headers: ReadonlyMap<string, Buffer | string>;
  /**
   * Set by the embedded capture, whose envelopes are built as typed ChangeEvents by our own code: the
   * strict parse (for records from Kafka, which anyone could have written) is skipped for them.
   */
  trusted?: ChangeEvent | 'tombstone';
}

export function headerText(v: Buffer | string): string {
  return typeof v === 'string' ? v : v.toString('utf8');
}

export function asText(v: Buffer | string | object | null): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return JSON.stringify(v);
}
