import { Admin, compatibilityPartitioner, Consumer, ProduceAcks, Producer } from '@platformatic/kafka';
import type { Message, MessagesStream } from '@platformatic/kafka';
import type { BatchHandler, Bus, BusRecord, OutgoingRecord, SubscribeOptions, Subscription } from './bus.ts';
import { BATCH_DEFAULTS } from './bus.ts';
import { toBuffer } from './partitioner.ts';
import { handleWithRetry } from './retry.ts';
import { subscriptionHandle } from './subscription-handle.ts';

export interface KafkaBusOptions {
  clientId: string;
  brokers: readonly string[];
  /** Called for retried batches and commit failures; the bus never logs by itself. */
  onEvent?: (event: { type: 'retry' | 'commit-failed' | 'rebalance'; detail: unknown }) => void;
}

function toRecord(m: Message): BusRecord {
  const headers = new Map<string, Buffer>();
  for (const [k, v] of m.headers) headers.set(k.toString(), v);
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key && m.key.length > 0 ? m.key : null,
    value: m.value && m.value.length > 0 ? m.value : null,
    headers,
    timestamp: Number(m.timestamp),
  };
}

/** Splits a fetched run of messages into per-partition batches, keeping offset order within each. */
function byPartition(messages: readonly Message[]): Map<string, Message[]> {
  const out = new Map<string, Message[]>();
  for (const m of messages) {
    const key = `${m.topic}#${m.partition}`;
    (out.get(key) ?? out.set(key, []).get(key))!.push(m);
  }
  return out;
}

/**
 * The Kafka bus on @platformatic/kafka (ADR 0002 says why not kafkajs). Producer: acks=all, idempotent,
 * the Java client's partitioner so our keys land where Debezium's do. Consumer: no autocommit; a batch's
 * offsets are committed only after its handler resolved; while a batch is in flight the stream is not
 * read, so Kafka fetching pauses (backpressure) once the stream's buffer is full.
 */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  readonly #options: KafkaBusOptions;
  readonly #producer: Producer;
  readonly #subscriptions = new Set<Subscription>();

  constructor(options: KafkaBusOptions) {
    this.#options = options;
    this.#producer = new Producer({
      clientId: `${options.clientId}-producer`,
      bootstrapBrokers: [...options.brokers],
      acks: ProduceAcks.ALL,
      idempotent: true,
      partitioner: compatibilityPartitioner,
      autocreateTopics: true,
    });
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#producer.send({
      messages: records.map((r) => {
        const headers = new Map<Buffer, Buffer>();
        for (const [k, v] of Object.entries(r.headers ?? {}))
          headers.set(Buffer.from(k), toBuffer(v) as Buffer);
        return {
          topic: r.topic,
          key: toBuffer(r.key) ?? undefined,
          // A tombstone is a record with a null value; the client encodes an absent value as null.
          value: toBuffer(r.value) ?? (undefined as unknown as Buffer),
          headers,
          ...(r.partition !== undefined ? { partition: r.partition } : {}),
        };
      }),
    });
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = new Admin({
      clientId: `${this.#options.clientId}-admin`,
      bootstrapBrokers: [...this.#options.brokers],
    });
    try {
      await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    } catch (err) {
      if (
        !JSON.stringify((err as { errors?: unknown }).errors ?? String(err)).includes('TOPIC_ALREADY_EXISTS')
      )
        throw err;
    } finally {
      await admin.close();
    }
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    const consumer = new Consumer({
      clientId: `${this.#options.clientId}-consumer`,
      bootstrapBrokers: [...this.#options.brokers],
      groupId: options.groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 1_000,
      maxWaitTime: options.maxWaitMs ?? BATCH_DEFAULTS.maxWaitMs,
    });
    consumer.on('consumer:group:rebalance', (detail) =>
      this.#options.onEvent?.({ type: 'rebalance', detail }),
    );
    const abort = new AbortController();
    const stream = await this.#consume(consumer, options, abort.signal);
    const maxBatch = options.maxBatchSize ?? BATCH_DEFAULTS.maxBatchSize;
    const maxWaitMs = options.maxWaitMs ?? BATCH_DEFAULTS.maxWaitMs;
    const retryInitial = options.retry?.initialMs ?? BATCH_DEFAULTS.retryInitialMs;
    const retryMax = options.retry?.maxMs ?? BATCH_DEFAULTS.retryMaxMs;

    const handleRun = async (run: Message[]): Promise<void> => {
      // Partitions of one run are independent: handle them concurrently, each in offset order.
      await Promise.all(
        [...byPartition(run).values()].map(async (messages) => {
          const first = messages[0] as Message;
          const batch = { topic: first.topic, partition: first.partition, records: messages.map(toRecord) };
          const handled = await handleWithRetry(
            () => handler(batch, abort.signal),
            abort.signal,
            retryInitial,
            retryMax,
            (error, attempt) =>
              this.#options.onEvent?.({
                type: 'retry',
                detail: { error, attempt, topic: batch.topic, partition: batch.partition },
              }),
          );
          if (!handled) return;
          try {
            await (messages.at(-1) as Message).commit();
          } catch (error) {
            // A commit refused during a rebalance means the partition moved: its new owner redelivers
            // from the last committed offset. That is a duplicate, never a loss.
            this.#options.onEvent?.({
              type: 'commit-failed',
              detail: { error, topic: batch.topic, partition: batch.partition },
            });
          }
        }),
      );
    };

    // One abort promise for the subscription, and one timer per batch: a listener or timer per message
    // piled up (an abort listener is never removed until the abort) and made every message slower.
    const whenAborted = aborted(abort.signal);
    const loop = async (): Promise<void> => {
      const iterator = stream[Symbol.asyncIterator]();
      let pending: Promise<IteratorResult<Message>> | null = null;
      while (!abort.signal.aborted) {
        const run: Message[] = [];
        let batchTimer: { promise: Promise<'timeout'>; clear(): void } | null = null;
        while (run.length < maxBatch) {
          pending ??= iterator.next();
          const next = await (batchTimer === null
            ? Promise.race([pending, whenAborted])
            : Promise.race([pending, whenAborted, batchTimer.promise]));
          if (next === 'timeout' || next === 'aborted') break;
          pending = null;
          if (next.done) {
            abort.abort();
            break;
          }
          run.push(next.value);
          if (run.length === 1) batchTimer = timeout(maxWaitMs);
        }
        batchTimer?.clear();
        if (run.length > 0) await handleRun(run);
      }
    };

    const done = loop().finally(async () => {
      await stream.close().catch(() => {});
      await consumer.close(true).catch(() => {});
    });
    return subscriptionHandle(done, abort, this.#subscriptions);
  }

  /**
   * Joins the group and opens the stream. A topic that does not exist yet (a Debezium table topic before the
   * connector's first record) is waited for rather than failing the subscription.
   */
  async #consume(
    consumer: Consumer,
    options: SubscribeOptions,
    signal: AbortSignal,
  ): Promise<MessagesStream<Buffer, Buffer, Buffer, Buffer>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await consumer.consume({
          topics: [...options.topics],
          autocommit: false,
          mode: 'committed',
          fallbackMode: options.from === 'latest' ? 'latest' : 'earliest',
          highWaterMark: options.maxBatchSize ?? BATCH_DEFAULTS.maxBatchSize,
        });
      } catch (err) {
        const unknownTopic =
          /unknown topic/i.test(String((err as Error).message)) ||
          JSON.stringify(err).includes('UNKNOWN_TOPIC');
        if (!unknownTopic || signal.aborted) {
          await consumer.close(true).catch(() => {});
          throw err;
        }
        this.#options.onEvent?.({ type: 'retry', detail: { waitingForTopics: options.topics, attempt } });
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await this.#producer.close();
  }
}

function aborted(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}

function timeout(ms: number): { promise: Promise<'timeout'>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}
