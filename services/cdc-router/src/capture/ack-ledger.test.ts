import { describe, expect, it } from 'vitest';
import { AckLedger } from './ack-ledger.ts';

describe('AckLedger', () => {
  it('acknowledges only what was delivered, and only forward', () => {
    const l = new AckLedger();
    l.resetTo(100n);
    expect(l.deliverStream(200n)).toBe(200n);
    expect(() => l.ack(201n, true)).toThrow(expect.objectContaining({ code: 'CDC_CAPTURE_ACK_INVALID' }));
    expect(l.ack(200n, true)).toBe(true);
    expect(l.ack(150n, true)).toBe(false);
    expect(l.acked).toBe(200n);
  });

  it('gives a batch without a transaction end the last end delivered before it', () => {
    const l = new AckLedger();
    l.resetTo(100n);
    expect(l.deliverStream(null)).toBe(100n);
    expect(l.deliverStream(null)).toBe(100n);
    expect(l.deliverStream(300n)).toBe(300n);
  });

  it('follows the server or skips empty transactions only when the consumer has caught up', () => {
    const l = new AckLedger();
    l.resetTo(100n);
    l.deliverStream(200n);
    l.followServer(500n);
    expect(l.acked).toBe(100n); // batch 200 is still with the consumer
    l.skipTo(250n); // an empty transaction while the consumer is behind
    expect(l.acked).toBe(100n);
    l.ack(200n, true);
    expect(l.acked).toBe(250n); // caught up: the skipped end applies
    l.followServer(500n);
    expect(l.acked).toBe(500n);
    expect(l.deliveredEver).toBe(500n);
  });

  it('rewinds delivery to the acknowledged position for a new session, but keeps accepting late acks', () => {
    const l = new AckLedger();
    l.resetTo(100n);
    l.deliverStream(200n);
    l.deliverStream(300n);
    l.ack(200n, true);
    l.rewind();
    expect(l.delivered).toBe(200n);
    // The consumer finishes the batch it held across the reconnect.
    expect(l.ack(300n, true)).toBe(true);
  });

  it('completes the snapshot once it is read and every batch is acknowledged, once', () => {
    const l = new AckLedger();
    const s = l.beginSnapshot(1000n);
    expect(l.reportable).toBe(false);
    s.queued = 30;
    expect(l.deliverSnapshot(10)).toBe(1000n);
    expect(l.deliverSnapshot(10)).toBe(1000n);
    l.ack(1000n, false);
    expect(l.takeSnapshotCompletion()).toBeNull();
    expect(l.deliverSnapshot(10)).toBe(1000n);
    s.read = true;
    l.ack(1000n, false);
    expect(l.takeSnapshotCompletion()).toBeNull(); // 2 of 3 batches acknowledged
    l.ack(1000n, true);
    expect(l.takeSnapshotCompletion()).toBe(s);
    expect(l.takeSnapshotCompletion()).toBeNull();
    expect(l.reportable).toBe(true);
  });

  it('counts a later position as acknowledging every snapshot batch', () => {
    const l = new AckLedger();
    const s = l.beginSnapshot(1000n);
    s.queued = 10;
    l.deliverSnapshot(10);
    s.read = true;
    l.deliverStream(2000n);
    l.ack(2000n, true);
    expect(l.takeSnapshotCompletion()).toBe(s);
  });
});
