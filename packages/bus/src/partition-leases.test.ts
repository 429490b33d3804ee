import { describe, expect, it } from 'vitest';
import { PartitionLeases } from './partition-leases.ts';

const both = [{ topic: 't', partitions: [0, 1] }];
const one = [{ topic: 't', partitions: [0] }];

describe('PartitionLeases', () => {
  it('keeps a lease the next generation gives back, and ends the one it gives elsewhere', () => {
    const leases = new PartitionLeases();
    leases.assign(both, { memberId: 'm1', generation: 1 });
    const p0 = leases.lease('t', 0);
    const p1 = leases.lease('t', 1);
    leases.rebalancing();
    expect(leases.isRebalancing).toBe(true);
    const revoked = leases.assign(one, { memberId: 'm1', generation: 2 });
    expect(revoked).toEqual([p1]);
    expect(p1?.signal.aborted).toBe(true);
    expect(leases.lease('t', 1)).toBeUndefined();
    expect(leases.lease('t', 0)).toBe(p0);
    expect(leases.holds(p0!)).toBe(true);
    expect(leases.isRebalancing).toBe(false);
  });

  it('ends every lease when the member was fenced (new member id) or missed a generation', () => {
    const leases = new PartitionLeases();
    leases.assign(both, { memberId: 'm1', generation: 1 });
    const first = leases.lease('t', 0)!;
    expect(leases.assign(both, { memberId: 'm2', generation: 2 })).toHaveLength(2);
    expect(leases.holds(first)).toBe(false);
    const second = leases.lease('t', 0)!;
    expect(second.generation).toBe(2);
    expect(leases.assign(both, { memberId: 'm2', generation: 4 })).toHaveLength(2);
    expect(leases.holds(second)).toBe(false);
    expect(leases.lease('t', 0)?.generation).toBe(4);
  });

  it('wakes a caller waiting out a rebalance when the assignment arrives, or after its timeout', async () => {
    const leases = new PartitionLeases();
    const never = new AbortController().signal;
    const t0 = Date.now();
    await leases.changed(never, 30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    leases.rebalancing();
    const waiting = leases.changed(never, 60_000);
    leases.assign(one, { memberId: 'm1', generation: 1 });
    await waiting;
    expect(leases.revokeAll()).toHaveLength(1);
  });
});
