import { Admin, compatibilityPartitioner, Consumer, ProduceAcks, Producer } from '@platformatic/kafka';
import type { Message, MessagesStream } from '@platformatic/kafka';
import type { BatchHandler, Bus, BusRecord, OutgoingRecord, SubscribeOptions, Subscription } from './bus.ts';
import { BATCH_DEFAULTS } from './bus.ts';
import { PartitionLeases } from './partition-leases.ts';
import type { GroupAssignment, PartitionLease } from './partition-leases.ts';
import { toBuffer } from './partitioner.ts';
import { handleWithRetry } from './retry.ts';
import { subscriptionHandle } from './subscription-handle.ts';

export interface KafkaBusOptions {
  clientId: string;
  brokers: readonly string[];
  /**
   * Called for retried batches, commit failures, rebalances and revoked partitions (`revoked`: `topic`,
   * `partition`, and `records` of it this member will not commit: 0 when nothing was in flight, else a batch
   * with `handled` (its handler resolved before it stopped) and `committed: false`, or records fetched before
   * the revoke, `dropped`); the bus never logs by itself.
   */
  onEvent?: (event: { type: KafkaBusEventType; detail: unknown }) => void;
}

export type KafkaBusEventType = 'retry' | 'commit-failed' | 'rebalance' | 'revoked';

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

/** The group generation a message was fetched in (the client stamps it on the message's metadata). */
function fetchedIn(m: Message): number | null {
  const consumer = (m.metadata as { consumer?: { generationId?: unknown } } | undefined)?.consumer;
  return typeof consumer?.generationId === 'number' ? consumer.generationId : null;
}

/**
 * The messages of a partition this lease may handle: not fetched under an earlier owner (an older
 * generation), nor already handled (a rejoin refetches from the committed offset).
 */
function leased(messages: readonly Message[], lease: PartitionLease): Message[] {
  return messages.filter((m) => {
    if (lease.next !== null && m.offset < lease.next) return false;
    const generation = fetchedIn(m);
    return generation === null || lease.generation === null || generation >= lease.generation;
  });
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
    // Rebalances (the classic protocol, eager): the client rejoins at once and does not wait for the batches
    // in flight, so the bus keeps its own leases. A revoked partition's batch stops retrying and is never
    // committed (the new owner redelivers it); nothing is committed while a rebalance is under way.
    const leases = new PartitionLeases();
    const revoked = (lease: PartitionLease, detail: Record<string, unknown>) =>
      this.#options.onEvent?.({
        type: 'revoked',
        detail: { topic: lease.topic, partition: lease.partition, ...detail },
      });
    consumer.on('consumer:group:rebalance', (detail) => {
      leases.rebalancing();
      this.#options.onEvent?.({ type: 'rebalance', detail });
    });
    consumer.on(
      'consumer:group:join',
      (detail: { memberId?: string; generationId?: number; assignments?: GroupAssignment[] }) => {
        const lost = leases.assign(detail.assignments ?? consumer.assignments ?? [], {
          memberId: detail.memberId ?? consumer.memberId ?? null,
          generation: detail.generationId ?? null,
        });
        for (const lease of lost) revoked(lease, { records: 0 });
      },
    );
    consumer.on('consumer:group:leave', () => void leases.revokeAll());
    const abort = new AbortController();
    const stream = await this.#consume(consumer, options, abort.signal);
    const maxBatch = options.maxBatchSize ?? BATCH_DEFAULTS.maxBatchSize;
    const maxWaitMs = options.maxWaitMs ?? BATCH_DEFAULTS.maxWaitMs;
    const retryInitial = options.retry?.initialMs ?? BATCH_DEFAULTS.retryInitialMs;
    const retryMax = options.retry?.maxMs ?? BATCH_DEFAULTS.retryMaxMs;

    /**
     * Whether a handled batch of `lease` may be committed: once no rebalance is under way (a commit sent then
     * would be retried by the client after its rejoin, whoever owns the partition by then), if the lease
     * still holds. A subscription closed mid-rebalance commits nothing: the next owner redelivers.
     */
    const mayCommit = async (lease: PartitionLease): Promise<boolean> => {
      const unsettled = () => leases.isRebalancing || !consumer.isActive();
      while (unsettled() && !abort.signal.aborted && !lease.signal.aborted)
        await leases.changed(abort.signal, 100);
      return !unsettled() && leases.holds(lease);
    };

    const handlePartition = async (messages: Message[]): Promise<void> => {
      const first = messages[0] as Message;
      const lease = leases.lease(first.topic, first.partition);
      if (!lease) {
        // Fetched before the partition was revoked: its new owner has it.
        this.#options.onEvent?.({
          type: 'revoked',
          detail: { topic: first.topic, partition: first.partition, records: messages.length, dropped: true },
        });
        return;
      }
      const mine = leased(messages, lease);
      const last = mine.at(-1);
      if (!last) return;
      const batch = { topic: first.topic, partition: first.partition, records: mine.map(toRecord) };
      const signal = AbortSignal.any([abort.signal, lease.signal]);
      const handled = await handleWithRetry(
        () => handler(batch, signal),
        signal,
        retryInitial,
        retryMax,
        (error, attempt) =>
          this.#options.onEvent?.({
            type: 'retry',
            detail: { error, attempt, topic: batch.topic, partition: batch.partition },
          }),
      );
      if (handled) lease.next = last.offset + 1n;
      if (!handled || !(await mayCommit(lease))) {
        if (lease.signal.aborted) revoked(lease, { records: mine.length, handled, committed: false });
        return;
      }
      try {
        await last.commit();
      } catch (error) {
        // Refused (the group moved on meanwhile): the partition's owner redelivers from the last committed
        // offset. That is a duplicate, never a loss.
        this.#options.onEvent?.({
          type: 'commit-failed',
          detail: { error, topic: batch.topic, partition: batch.partition },
        });
      }
    };

    // Partitions of one run are independent: handle them concurrently, each in offset order.
    const handleRun = async (run: Message[]): Promise<void> => {
      await Promise.all([...byPartition(run).values()].map(handlePartition));
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
