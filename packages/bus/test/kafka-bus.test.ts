import { randomUUID } from 'node:crypto';
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../src/index.ts';
import type { BusRecord, RecordBatch } from '../src/index.ts';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { describeBusContract } from './bus-contract.ts';

describeBusContract('kafka', async () => {
  const ctx = await useTestContext('bus');
  const brokers = [ctx.kafkaBootstrap()];
  const opened: KafkaBus[] = [];
  const open = () => {
    const bus = new KafkaBus({ clientId: `bus-test-${ctx.id}-${opened.length}`, brokers });
    opened.push(bus);
    return bus;
  };
  return {
    bus: open(),
    // A new client: what a restarted process sees. Committed offsets live in Kafka, not in the client.
    reopen: async () => open(),
    close: async () => {
      await Promise.all(opened.map((b) => b.close()));
      await ctx[Symbol.asyncDispose]();
    },
  };
});

async function eventually(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A handler that holds each batch until the test lets its partition go. */
function gatedHandler() {
  const started: RecordBatch[] = [];
  const handled: BusRecord[] = [];
  const gates = new Map<number, () => void>();
  const open = new Set<number>();
  return {
    started,
    handled,
    release(partition: number) {
      open.add(partition);
      gates.get(partition)?.();
    },
    handler: async (batch: RecordBatch) => {
      started.push(batch);
      if (!open.has(batch.partition))
        await new Promise<void>((resolve) => gates.set(batch.partition, resolve));
      handled.push(...batch.records);
    },
  };
}

describe('Kafka rebalance: a revoked partition', () => {
  let ctx: TestContext;
  let admin: Admin;
  const buses: KafkaBus[] = [];

  beforeAll(async () => {
    ctx = await useTestContext('bus-revoke');
    admin = new Admin({ clientId: `bus-revoke-admin-${ctx.id}`, bootstrapBrokers: [ctx.kafkaBootstrap()] });
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await admin?.close();
    await ctx?.[Symbol.asyncDispose]();
  });

  const committed = async (groupId: string, topic: string): Promise<Map<number, bigint>> => {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    const out = new Map<number, bigint>();
    for (const t of (group?.topics ?? []).filter((x) => x.name === topic))
      for (const p of t.partitions) if (p.committedOffset >= 0n) out.set(p.partitionIndex, p.committedOffset);
    return out;
  };

  it('is never committed by its old owner, even when the batch it held succeeds after the revoke', async () => {
    const events: Array<{ type: string; detail: unknown }> = [];
    const busA = new KafkaBus({
      clientId: `bus-revoke-a-${ctx.id}`,
      brokers: [ctx.kafkaBootstrap()],
      onEvent: (e) => events.push(e),
    });
    const busB = new KafkaBus({ clientId: `bus-revoke-b-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
    buses.push(busA, busB);
    const t = `bus-revoke-${randomUUID().slice(0, 8)}`;
    const groupId = `g-${t}`;
    await busA.createTopic(t, 2);
    await busA.send(
      Array.from({ length: 20 }, (_, i) => ({ topic: t, partition: i % 2, key: `k${i}`, value: String(i) })),
    );
    // A's sink is slow: each partition's batch is in its handler when B joins.
    const a = gatedHandler();
    const subA = await busA.subscribe({ groupId, topics: [t], maxBatchSize: 100 }, a.handler);
    await eventually(
      () => new Set(a.started.map((b) => b.partition)).size === 2,
      'A to start both partitions',
    );
    const b = gatedHandler();
    const subB = await busB.subscribe({ groupId, topics: [t], maxBatchSize: 100 }, b.handler);
    await eventually(() => b.started.length > 0, 'B to get a partition');
    const moved = (b.started[0] as RecordBatch).partition;
    const kept = 1 - moved;
    // B's assignment came with A's: A's lease of the moved partition is over. Its batch now succeeds (the
    // effect is durable), but the offsets must not move: the partition is B's.
    a.release(moved);
    await eventually(() => a.handled.some((r) => r.partition === moved), "A's held batch to return");
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await committed(groupId, t)).has(moved)).toBe(false);
    expect(events).toContainEqual({
      type: 'revoked',
      detail: { topic: t, partition: moved, records: 10, handled: true, committed: false },
    });

    // B delivers it from the start; A delivers its own partition once, although its rejoin refetched it.
    b.release(moved);
    a.release(kept);
    await eventually(() => b.handled.length >= 10 && a.handled.length >= 20, 'both partitions delivered');
    const offsets = (h: BusRecord[], p: number) => h.filter((r) => r.partition === p).map((r) => r.offset);
    const all = Array.from({ length: 10 }, (_, i) => BigInt(i));
    expect(offsets(b.handled, moved)).toEqual(all);
    expect(offsets(a.handled, kept)).toEqual(all);
    await new Promise((r) => setTimeout(r, 300));
    expect(offsets(a.handled, kept)).toEqual(all);
    await Promise.all([subA.close(), subB.close()]);
    expect(Object.fromEntries(await committed(groupId, t))).toEqual({ 0: 10n, 1: 10n });
  }, 90_000);
});
