import type { BatchHandler, Bus, BusRecord, OutgoingRecord, SubscribeOptions, Subscription } from './bus.ts';
import { BATCH_DEFAULTS } from './bus.ts';
import { partitionFor, toBuffer } from './partitioner.ts';
import { handleWithRetry, sleep } from './retry.ts';
import { subscriptionHandle } from './subscription-handle.ts';

type PartitionKey = `${string}#${number}`;
const pk = (topic: string, partition: number): PartitionKey => `${topic}#${partition}`;

/** Wakes every waiter; waiters re-check their condition (a condition variable). */
class Signal {
  #waiters: Array<() => void> = [];
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      this.#waiters.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  notify(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const resolve of w) resolve();
  }
}

interface Member {
  id: number;
  topics: ReadonlySet<string>;
}

class Group {
  readonly committed = new Map<PartitionKey, bigint>();
  readonly busy = new Set<PartitionKey>();
  /** The batch in flight per partition: its member, and its signal, aborted if the partition moves. */
  readonly inFlight = new Map<PartitionKey, { member: number; revoke: AbortController }>();
  readonly members: Member[] = [];
  /** Partition -> member id; recomputed on every join and leave. */
  assignment = new Map<PartitionKey, number>();
}

/**
 * The bus for embedded mode: topics, partitions and consumer groups in memory, with the same semantics as
 * the Kafka bus (per-partition order, one batch in flight per partition and group, commit after the
 * handler resolves, redelivery on failure). It is not durable across restarts: embedded mode keeps its
 * durable log in Postgres (the replication slot), not here.
 */
export class InProcessBus implements Bus {
  readonly kind = 'in-process' as const;
  readonly #topics = new Map<string, BusRecord[][]>();
  readonly #groups = new Map<string, Group>();
  readonly #changed = new Signal();
  readonly #subscriptions = new Set<Subscription>();
  readonly #defaultPartitions: number;
  #roundRobin = 0;
  #nextMember = 1;

  constructor(options: { defaultPartitions?: number } = {}) {
    this.#defaultPartitions = options.defaultPartitions ?? 1;
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    if (!this.#topics.has(topic)) {
      this.#topics.set(
        topic,
        Array.from({ length: partitions }, () => []),
      );
      this.#rebalanceAll();
    }
  }

  #partitionsOf(topic: string): BusRecord[][] {
    let parts = this.#topics.get(topic);
    if (!parts) {
      parts = Array.from({ length: this.#defaultPartitions }, () => []);
      this.#topics.set(topic, parts);
      this.#rebalanceAll();
    }
    return parts;
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    const now = Date.now();
    for (const r of records) {
      const parts = this.#partitionsOf(r.topic);
      const key = toBuffer(r.key);
      const partition = r.partition ?? partitionFor(key, parts.length, this.#roundRobin++);
      const log = parts[partition];
      if (!log) throw new RangeError(`topic ${r.topic} has no partition ${partition}`);
      const headers = new Map<string, Buffer>();
      for (const [k, v] of Object.entries(r.headers ?? {})) headers.set(k, toBuffer(v) as Buffer);
      log.push({
        topic: r.topic,
        partition,
        offset: BigInt(log.length),
        key,
        value: toBuffer(r.value),
        headers,
        timestamp: now,
      });
    }
    this.#changed.notify();
  }

  #rebalance(group: Group): void {
    const next = new Map<PartitionKey, number>();
    const byTopic = new Map<string, Member[]>();
    for (const m of group.members)
      for (const t of m.topics) (byTopic.get(t) ?? byTopic.set(t, []).get(t))!.push(m);
    for (const [topic, members] of byTopic) {
      const parts = this.#topics.get(topic)?.length ?? 0;
      for (let p = 0; p < parts; p++) next.set(pk(topic, p), (members[p % members.length] as Member).id);
    }
    group.assignment = next;
    // As on Kafka: a batch of a partition that moved stops retrying and is not committed; its new owner
    // gets it once the attempt under way (if any) has returned.
    for (const [key, batch] of group.inFlight)
      if (next.get(key) !== batch.member) batch.revoke.abort(new Error(`partition ${key} revoked`));
  }

  #rebalanceAll(): void {
    for (const g of this.#groups.values()) this.#rebalance(g);
    this.#changed.notify();
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    const group = this.#groups.get(options.groupId) ?? new Group();
    this.#groups.set(options.groupId, group);
    for (const t of options.topics) {
      const parts = this.#partitionsOf(t);
      parts.forEach((log, p) => {
        const key = pk(t, p);
        if (!group.committed.has(key))
          group.committed.set(key, options.from === 'latest' ? BigInt(log.length) : 0n);
      });
    }
    const member: Member = { id: this.#nextMember++, topics: new Set(options.topics) };
    group.members.push(member);
    this.#rebalance(group);
    this.#changed.notify();

    const abort = new AbortController();
    const maxBatch = options.maxBatchSize ?? BATCH_DEFAULTS.maxBatchSize;
    const retryInitial = options.retry?.initialMs ?? BATCH_DEFAULTS.retryInitialMs;
    const retryMax = options.retry?.maxMs ?? BATCH_DEFAULTS.retryMaxMs;
    const maxWaitMs = options.maxWaitMs ?? 0;

    const nextWork = (): { key: PartitionKey; topic: string; partition: number; from: bigint } | null => {
      for (const [key, owner] of group.assignment) {
        if (owner !== member.id || group.busy.has(key)) continue;
        const [topic, p] = splitKey(key);
        const log = this.#topics.get(topic)?.[p];
        const from = group.committed.get(key) ?? 0n;
        if (log && BigInt(log.length) > from) return { key, topic, partition: p, from };
      }
      return null;
    };

    const loop = async (): Promise<void> => {
      while (!abort.signal.aborted) {
        const work = nextWork();
        if (!work) {
          await this.#changed.wait(abort.signal);
          continue;
        }
        group.busy.add(work.key);
        const revoke = new AbortController();
        group.inFlight.set(work.key, { member: member.id, revoke });
        try {
          const log = this.#topics.get(work.topic)?.[work.partition] as BusRecord[];
          if (maxWaitMs > 0 && BigInt(log.length) - work.from < BigInt(maxBatch))
            await sleep(maxWaitMs, abort.signal);
          const records = log.slice(Number(work.from), Number(work.from) + maxBatch);
          const batch = { topic: work.topic, partition: work.partition, records };
          const signal = AbortSignal.any([abort.signal, revoke.signal]);
          const handled = await handleWithRetry(
            () => handler(batch, signal),
            signal,
            retryInitial,
            retryMax,
            () => {},
          );
          if (handled && !revoke.signal.aborted)
            group.committed.set(work.key, (records.at(-1) as BusRecord).offset + 1n);
        } finally {
          group.inFlight.delete(work.key);
          group.busy.delete(work.key);
          this.#changed.notify();
        }
      }
    };

    const done = loop().finally(() => {
      group.members.splice(group.members.indexOf(member), 1);
      this.#rebalance(group);
      this.#changed.notify();
    });
    return subscriptionHandle(done, abort, this.#subscriptions);
  }

  /** The committed offset of a group on a partition (for tests and lag). */
  committedOffset(groupId: string, topic: string, partition: number): bigint | undefined {
    return this.#groups.get(groupId)?.committed.get(pk(topic, partition));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
  }
}

function splitKey(key: PartitionKey): [string, number] {
  const i = key.lastIndexOf('#');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}
