import { describe, expect, it } from 'vitest';
import { RecordQueue } from './record-queue.ts';
import type { CaptureRecord } from './types.ts';

const rec = (n: number): CaptureRecord => ({
  kind: 'heartbeat',
  topic: 't',
  key: { serverName: 's' },
  value: { ts_ms: n },
  headers: {},
  lsn: BigInt(n),
});

describe('RecordQueue', () => {
  it('cuts batches at the bound and carries the transaction ends taken with them', () => {
    const q = new RecordQueue();
    q.push({ kind: 'record', record: rec(1), phase: 'stream' });
    q.push({ kind: 'record', record: rec(2), phase: 'stream' });
    q.push({ kind: 'commit', lsn: 100n });
    q.push({ kind: 'record', record: rec(3), phase: 'stream' });
    q.push({ kind: 'record', record: rec(4), phase: 'stream' });
    expect(q.records).toBe(4);
    const a = q.take(2);
    expect(a.records.map((r) => r.lsn)).toEqual([1n, 2n]);
    // The end right after the bound belongs to this batch.
    expect(a.commitLsn).toBe(100n);
    const b = q.take(10);
    expect(b.records.map((r) => r.lsn)).toEqual([3n, 4n]);
    expect(b.commitLsn).toBeNull();
    expect(q.records).toBe(0);
    expect(q.oldestAt).toBe(0);
  });

  it('never mixes snapshot and stream records in one batch', () => {
    const q = new RecordQueue();
    q.push({ kind: 'record', record: rec(1), phase: 'snapshot' });
    q.push({ kind: 'record', record: rec(2), phase: 'stream' });
    expect(q.take(10)).toMatchObject({ phase: 'snapshot', records: [rec(1)] });
    expect(q.take(10)).toMatchObject({ phase: 'stream', records: [rec(2)] });
  });
});
