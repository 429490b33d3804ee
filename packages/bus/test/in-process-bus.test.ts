import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../src/index.ts';
import type { BusRecord } from '../src/index.ts';
import { describeBusContract } from './bus-contract.ts';

describeBusContract('in-process', async () => {
  const bus = new InProcessBus({ defaultPartitions: 1 });
  // The in-process bus lives as long as its process: "reopening" is a new client of the same log.
  return { bus, reopen: async () => bus, close: () => bus.close() };
});

describe('in-process rebalance: a revoked partition', () => {
  it('stops retrying the batch it held, commits none of it, and its new owner gets it whole', async () => {
    const bus = new InProcessBus();
    await bus.createTopic('t', 2);
    // Only partition 1 has records: the first member holds it; a second member's assignment takes it.
    await bus.send(Array.from({ length: 5 }, (_, i) => ({ topic: 't', partition: 1, value: String(i) })));
    let attempts = 0;
    const a = await bus.subscribe(
      { groupId: 'g', topics: ['t'], retry: { initialMs: 5, maxMs: 10 } },
      async () => {
        attempts++;
        throw new Error('sink unavailable');
      },
    );
    while (attempts < 3) await new Promise((r) => setTimeout(r, 5));
    const handled: BusRecord[] = [];
    const b = await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (batch) => {
      handled.push(...batch.records);
    });
    while (handled.length < 5) await new Promise((r) => setTimeout(r, 5));
    const settled = attempts;
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts).toBe(settled);
    expect(handled.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(bus.committedOffset('g', 't', 1)).toBe(5n);
    await Promise.all([a.close(), b.close()]);
  });
});
