import type { Bus, OutgoingRecord } from '@data-spine/bus';
import { SinkUnavailable } from '../errors.ts';
import type { RejectedOp, Sink, SinkOp } from './sink-op.ts';

export const SINK_HEADERS = {
  decisionId: 'spine-decision-id',
  position: 'spine-source-position',
  route: 'spine-route',
} as const;

/**
 * A Kafka sink: one topic per table (`<topicPrefix>.<schema>.<table>`), keyed by the governed key (so a
 * key keeps its partition and its order), the governed envelope as the value, and headers carrying the
 * decision id and the source position. Deletes are followed by a tombstone, as Debezium does, so compacted
 * topics forget the key. Consumers that need an exactly-once effect dedupe on (key, position).
 */
export class KafkaSink implements Sink {
  readonly type = 'kafka' as const;
  readonly id: string;
  readonly #bus: Bus;
  readonly #prefix: string;
  readonly #brokers: readonly string[];

  constructor(id: string, bus: Bus, topicPrefix: string, brokers: readonly string[]) {
    this.id = id;
    this.#bus = bus;
    this.#prefix = topicPrefix;
    this.#brokers = brokers;
  }

  topicOf(table: string): string {
    return `${this.#prefix}.${table}`;
  }

  dataset(table: string) {
    return { namespace: `kafka://${this.#brokers[0] ?? 'localhost:9092'}`, name: this.topicOf(table) };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  async write(ops: readonly SinkOp[]): Promise<RejectedOp[]> {
    const records: OutgoingRecord[] = [];
    for (const op of ops) {
      const headers = {
        [SINK_HEADERS.decisionId]: op.decisionId,
        [SINK_HEADERS.position]: String(op.position),
        [SINK_HEADERS.route]: op.routeId,
      };
      const topic = this.topicOf(op.table);
      const source = { table: op.table, lsn: String(op.position), ts_ms: op.sourceTsMs };
      switch (op.kind) {
        case 'upsert':
          records.push({
            topic,
            key: JSON.stringify(op.key),
            value: JSON.stringify({ op: op.op, before: op.before, after: op.row, source }),
            headers,
          });
          break;
        case 'delete':
          records.push({
            topic,
            key: JSON.stringify(op.key),
            value: JSON.stringify({ op: 'd', before: op.before, after: null, source }),
            headers,
          });
          records.push({ topic, key: JSON.stringify(op.key), value: null, headers });
          break;
        case 'tombstone':
          // Our delete already wrote the tombstone; Debezium's own is redundant here.
          break;
        case 'truncate':
          if (op.snapshotEnd) break;
          records.push({
            topic,
            key: null,
            value: JSON.stringify({ op: 't', before: null, after: null, source }),
            headers,
          });
          break;
        default: {
          const never: never = op;
          throw new Error(`unknown op ${JSON.stringify(never)}`);
        }
      }
    }
    try {
      await this.#bus.send(records);
    } catch (err) {
      throw new SinkUnavailable(this.id, (err as Error).message, { cause: err });
    }
    return [];
  }
}
