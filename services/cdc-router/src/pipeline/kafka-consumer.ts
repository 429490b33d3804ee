import type { Bus, BusRecord, Subscription } from '@data-spine/bus';
import type { Logger } from '@data-spine/service-kit';
import type { Delivery } from './delivery.ts';
import type { SourceRecord } from './source-record.ts';

export function fromBusRecord(r: BusRecord): SourceRecord {
  return {
    origin: { topic: r.topic, partition: r.partition, offset: String(r.offset) },
    key: r.key,
    value: r.value,
    headers: r.headers,
  };
}

export interface KafkaConsumerOptions {
  bus: Bus;
  groupId: string;
  topics: readonly string[];
  maxBatchSize: number;
  maxWaitMs: number;
  delivery: Delivery;
  log: Logger;
}

/**
 * Distributed mode: the Debezium table topics as one consumer group (it scales with partitions). The bus
 * commits a batch's offsets only after `delivery.handle` resolved (sinks and dead letters durable); a
 * failure is retried with backoff and the partition waits, so nothing is skipped and per-key order holds.
 */
export async function startKafkaConsumer(o: KafkaConsumerOptions): Promise<Subscription> {
  const sub = await o.bus.subscribe(
    {
      groupId: o.groupId,
      topics: o.topics,
      maxBatchSize: o.maxBatchSize,
      maxWaitMs: o.maxWaitMs,
      from: 'earliest',
      retry: { initialMs: 200, maxMs: 5_000 },
    },
    async (batch) => {
      await o.delivery.handle(batch.records.map(fromBusRecord));
    },
  );
  sub.done.catch((err: unknown) => o.log.fatal({ err }, 'the consumer stopped on an error it cannot retry'));
  return sub;
}
