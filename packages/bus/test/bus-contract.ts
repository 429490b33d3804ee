import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, BusRecord, RecordBatch } from '../src/index.ts';

export interface BusFixture {
  bus: Bus;
  /** A fresh bus on the same backing store (a restarted process). */
  reopen: () => Promise<Bus>;
  close: () => Promise<void>;
}

/** Polls until `check` holds; fails with `what` after the bound. */
async function eventually(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const text = (b: Buffer | null) => (b === null ? null : b.toString());

/** One suite, run against every Bus implementation. */
export function describeBusContract(name: string, open: () => Promise<BusFixture>): void {
  describe(`Bus contract: ${name}`, () => {
    let fx: BusFixture;
    const topic = (label: string) => `bus-${label}-${randomUUID().slice(0, 8)}`;
    beforeAll(async () => {
      fx = await open();
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('delivers keys, values, headers and tombstones, in per-key order across partitions', async () => {
      const t = topic('order');
      await fx.bus.createTopic(t, 3);
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const sent = 400;
      await fx.bus.send(
        Array.from({ length: sent }, (_, i) => ({
          topic: t,
          key: keys[i % keys.length] as string,
          value: i === sent - 1 ? null : JSON.stringify({ i }),
          headers: { 'x-seq': String(i), bin: Buffer.from([0, 255]) },
        })),
      );
      const seen: BusRecord[] = [];
      const sub = await fx.bus.subscribe(
        { groupId: `g-${t}`, topics: [t], maxBatchSize: 50, maxWaitMs: 20 },
        async (batch) => {
          seen.push(...batch.records);
        },
      );
      await eventually(() => seen.length >= sent, `${sent} records`);
      await sub.close();
      expect(seen).toHaveLength(sent);
      expect(new Set(seen.map((r) => r.partition)).size).toBeGreaterThan(1);
      for (const k of keys) {
        const seqs = seen
          .filter((r) => text(r.key) === k)
          .map((r) => Number(text(r.headers.get('x-seq') ?? null)));
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seen.filter((r) => text(r.key) === k).map((r) => r.partition)).size).toBe(1);
      }
      const last = seen.find((r) => text(r.headers.get('x-seq') ?? null) === String(sent - 1));
      expect(last?.value).toBeNull();
      expect(seen[0]?.headers.get('bin')).toEqual(Buffer.from([0, 255]));
    });

    it('batches consecutive records of one partition, up to the batch size', async () => {
      const t = topic('batch');
      await fx.bus.createTopic(t, 2);
      await fx.bus.send(
        Array.from({ length: 120 }, (_, i) => ({ topic: t, key: `k${i % 7}`, value: String(i) })),
      );
      const batches: RecordBatch[] = [];
      const sub = await fx.bus.subscribe(
        { groupId: `g-${t}`, topics: [t], maxBatchSize: 25, maxWaitMs: 50 },
        async (b) => {
          batches.push(b);
        },
      );
      await eventually(() => batches.reduce((n, b) => n + b.records.length, 0) >= 120, '120 records');
      await sub.close();
      for (const b of batches) {
        expect(b.records.length).toBeLessThanOrEqual(25);
        expect(b.records.every((r) => r.partition === b.partition && r.topic === b.topic)).toBe(true);
        const offsets = b.records.map((r) => r.offset);
        offsets.forEach((o, i) => i > 0 && expect(o).toBe((offsets[i - 1] as bigint) + 1n));
      }
      expect(batches.some((b) => b.records.length > 1)).toBe(true);
    });

    it('redelivers a batch whose handler failed, and commits only after success', async () => {
      const t = topic('retry');
      await fx.bus.send(Array.from({ length: 10 }, (_, i) => ({ topic: t, key: 'k', value: String(i) })));
      let attempts = 0;
      const handled: string[] = [];
      const sub = await fx.bus.subscribe(
        { groupId: `g-${t}`, topics: [t], maxBatchSize: 100, retry: { initialMs: 10, maxMs: 50 } },
        async (b) => {
          attempts++;
          if (attempts <= 2) throw new Error('sink unavailable');
          handled.push(...b.records.map((r) => text(r.value) as string));
        },
      );
      await eventually(() => handled.length >= 10, 'the batch after two failures');
      await sub.close();
      expect(attempts).toBeGreaterThanOrEqual(3);
      expect(handled.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    });

    it('stops the subscription on a non-retriable error without committing', async () => {
      const t = topic('fatal');
      await fx.bus.send([{ topic: t, key: 'k', value: 'poison' }]);
      const groupId = `g-${t}`;
      const sub = await fx.bus.subscribe({ groupId, topics: [t] }, async () => {
        throw Object.assign(new Error('dead-letter write failed'), { retriable: false });
      });
      await expect(sub.done).rejects.toThrow('dead-letter write failed');
      const again: string[] = [];
      const sub2 = await fx.bus.subscribe({ groupId, topics: [t] }, async (b) => {
        again.push(...b.records.map((r) => text(r.value) as string));
      });
      await eventually(() => again.length >= 1, 'redelivery to a new member');
      await sub2.close();
      expect(again[0]).toBe('poison');
    });

    it('resumes a group from its committed offset after a restart, losing and repeating nothing committed', async () => {
      const t = topic('resume');
      const groupId = `g-${t}`;
      await fx.bus.send(Array.from({ length: 30 }, (_, i) => ({ topic: t, key: 'k', value: String(i) })));
      const first: string[] = [];
      const sub = await fx.bus.subscribe({ groupId, topics: [t], maxBatchSize: 10 }, async (b) => {
        first.push(...b.records.map((r) => text(r.value) as string));
      });
      await eventually(() => first.length >= 30, 'first 30');
      await sub.close();
      const bus2 = await fx.reopen();
      await bus2.send(Array.from({ length: 5 }, (_, i) => ({ topic: t, key: 'k', value: String(30 + i) })));
      const second: string[] = [];
      const sub2 = await bus2.subscribe({ groupId, topics: [t], maxBatchSize: 10 }, async (b) => {
        second.push(...b.records.map((r) => text(r.value) as string));
      });
      await eventually(() => second.length >= 5, 'the 5 new records');
      await sub2.close();
      if (bus2 !== fx.bus) await bus2.close();
      expect(first).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
      expect(second).toEqual(['30', '31', '32', '33', '34']);
    });

    it('stops retrying a batch whose partition moved to another member, commits none of it, and the new member gets it whole', async () => {
      const t = topic('revoke');
      await fx.bus.createTopic(t, 2);
      const groupId = `g-${t}`;
      const perPartition = 20;
      await fx.bus.send(
        Array.from({ length: 2 * perPartition }, (_, i) => ({
          topic: t,
          partition: i % 2,
          key: `k${i}`,
          value: String(i),
        })),
      );
      // Member A's sink is down: both partitions' batches are held in retry.
      let sinkDown = true;
      const attempts = [0, 0];
      const handledByA: BusRecord[] = [];
      const a = await fx.bus.subscribe(
        { groupId, topics: [t], maxBatchSize: 100, retry: { initialMs: 20, maxMs: 50 } },
        async (b) => {
          attempts[b.partition] = (attempts[b.partition] ?? 0) + 1;
          if (sinkDown) throw new Error('sink unavailable');
          handledByA.push(...b.records);
        },
      );
      // (Kafka members handle their partitions concurrently; the in-process bus one batch at a time.)
      await eventually(() => attempts.some((n) => n >= 2), 'member A to hold its batches');
      const handledByB: BusRecord[] = [];
      const b = await fx.bus.subscribe({ groupId, topics: [t], maxBatchSize: 100 }, async (batch) => {
        handledByB.push(...batch.records);
      });
      await eventually(() => handledByB.length >= perPartition, 'member B to deliver a partition', 60_000);
      const moved = (handledByB[0] as BusRecord).partition;
      const kept = 1 - moved;
      // B has the moved partition from its first record on: A committed nothing of it.
      expect(handledByB.map((r) => [r.partition, r.offset])).toEqual(
        Array.from({ length: perPartition }, (_, i) => [moved, BigInt(i)]),
      );
      // A no longer retries it (an attempt under way when it moved may still return), but holds its own.
      await new Promise((r) => setTimeout(r, 300));
      const settled = { moved: attempts[moved], kept: attempts[kept] as number };
      await new Promise((r) => setTimeout(r, 500));
      expect(attempts[moved]).toBe(settled.moved);
      expect(attempts[kept]).toBeGreaterThan(settled.kept);
      sinkDown = false;
      await eventually(() => handledByA.length >= perPartition, 'member A to deliver its partition');
      await Promise.all([a.close(), b.close()]);
      expect(handledByA.map((r) => [r.partition, r.offset])).toEqual(
        Array.from({ length: perPartition }, (_, i) => [kept, BigInt(i)]),
      );
      expect(handledByB).toHaveLength(perPartition);
      // The group's offsets are where the two members left them: a new member gets only what is new.
      await fx.bus.send([0, 1].map((p) => ({ topic: t, partition: p, key: 'new', value: `new-${p}` })));
      const after: BusRecord[] = [];
      const c = await fx.bus.subscribe({ groupId, topics: [t] }, async (batch) => {
        after.push(...batch.records);
      });
      await eventually(() => after.length >= 2, 'the two new records');
      await new Promise((r) => setTimeout(r, 200));
      await c.close();
      expect(after.map((r) => text(r.value)).sort()).toEqual(['new-0', 'new-1']);
    }, 90_000);

    it('keeps one batch in flight per partition (backpressure) across the members of a group', async () => {
      const t = topic('group');
      await fx.bus.createTopic(t, 4);
      const groupId = `g-${t}`;
      await fx.bus.send(
        Array.from({ length: 200 }, (_, i) => ({ topic: t, key: `key-${i}`, value: String(i) })),
      );
      const inFlight = new Map<number, number>();
      let maxPerPartition = 0;

      const seen = new Set<string>();
      const handler = () => async (b: RecordBatch) => {
        const n = (inFlight.get(b.partition) ?? 0) + 1;
        inFlight.set(b.partition, n);
        maxPerPartition = Math.max(maxPerPartition, n);
        await new Promise((r) => setTimeout(r, 5));
        for (const r of b.records) seen.add(text(r.value) as string);
        inFlight.set(b.partition, n - 1);
      };
      const a = await fx.bus.subscribe({ groupId, topics: [t], maxBatchSize: 20 }, handler());
      const b = await fx.bus.subscribe({ groupId, topics: [t], maxBatchSize: 20 }, handler());
      await eventually(() => seen.size >= 200, 'all 200 records by the group', 60_000);
      await Promise.all([a.close(), b.close()]);
      expect(seen.size).toBe(200);
      expect(maxPerPartition).toBe(1);
    }, 90_000);
  });
}
