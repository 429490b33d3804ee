import { CaptureAckInvalid } from './errors.ts';
import { formatLsn } from './lsn.ts';
import type { Lsn } from './types.ts';

/** The initial snapshot's progress: it is complete when every row is read and every batch acknowledged. */
export interface SnapshotProgress {
  readonly consistentPoint: Lsn;
  /** Snapshot records queued and not yet handed out in a batch. */
  queued: number;
  /** Snapshot batches handed out, and acknowledged. */
  delivered: number;
  acked: number;
  /** Every row has been queued. */
  read: boolean;
  /** Its completion is (being) written to the state table. */
  recorded: boolean;
}

/**
 * The positions of one capture: what was handed out (`delivered`, and the highest ever for validation),
 * what the consumer acknowledged, what was reported to Postgres. Pure bookkeeping, so the rules that keep
 * the slot from passing an unacknowledged change are tested on their own.
 */
export class AckLedger {
  acked: Lsn = 0n;
  delivered: Lsn = 0n;
  deliveredEver: Lsn = 0n;
  reported: Lsn = 0n;
  snapshot: SnapshotProgress | null = null;
  /** A transaction end reached with nothing to deliver, applied once the consumer has caught up. */
  private free: Lsn = 0n;

  /** Everything up to `lsn` is durable: a slot's confirmed position, or a new slot's consistent point. */
  resetTo(lsn: Lsn): void {
    this.acked = this.delivered = this.reported = lsn;
    if (lsn > this.deliveredEver) this.deliveredEver = lsn;
    this.free = 0n;
  }

  beginSnapshot(consistentPoint: Lsn): SnapshotProgress {
    this.resetTo(consistentPoint);
    this.snapshot = { consistentPoint, queued: 0, delivered: 0, acked: 0, read: false, recorded: false };
    return this.snapshot;
  }

  /** A new session: what was delivered and not acknowledged will come again from the slot. */
  rewind(): void {
    this.delivered = this.acked;
    this.free = 0n;
  }

  get caughtUp(): boolean {
    return this.acked === this.delivered;
  }

  /** While the snapshot is read the connection is in a transaction, not streaming: nothing to report. */
  get reportable(): boolean {
    return this.snapshot === null || this.snapshot.read;
  }

  /** Caught up and idle, the server says it is at `lsn`: nothing in between is ours to deliver. */
  followServer(lsn: Lsn): void {
    if (this.caughtUp && lsn > this.acked) this.move(lsn);
  }

  /** Transaction ends without records (other tables, empty transactions). */
  skipTo(lsn: Lsn): void {
    if (this.caughtUp) this.move(lsn);
    else this.free = lsn;
  }

  /** Hands out a stream batch; its position is its last transaction end, else the last one before it. */
  deliverStream(commitLsn: Lsn | null): Lsn {
    const lsn = commitLsn ?? (this.free > this.delivered ? this.free : this.delivered);
    this.free = 0n;
    if (lsn > this.delivered) this.delivered = lsn;
    if (lsn > this.deliveredEver) this.deliveredEver = lsn;
    return lsn;
  }

  deliverSnapshot(records: number): Lsn {
    const s = this.snapshot;
    if (!s) throw new Error('no snapshot in progress');
    s.delivered += 1;
    s.queued -= records;
    return s.consistentPoint;
  }

  /**
   * The consumer acknowledges `lsn`. Returns true when the acknowledged position moved (report it).
   * During the snapshot every ack of the consistent point counts one snapshot batch; any later position
   * acknowledges them all.
   */
  ack(lsn: Lsn, nothingQueued: boolean): boolean {
    if (lsn > this.deliveredEver) {
      throw new CaptureAckInvalid(
        `${formatLsn(lsn)} was never delivered (last delivered ${formatLsn(this.deliveredEver)})`,
      );
    }
    const s = this.snapshot;
    if (s && !s.recorded) {
      if (lsn === s.consistentPoint) s.acked += 1;
      else if (lsn > s.consistentPoint) s.acked = s.delivered;
    }
    if (lsn <= this.acked) return false;
    this.acked = lsn;
    if (this.acked >= this.delivered && this.free > this.acked && nothingQueued) this.move(this.free);
    return true;
  }

  /** True once, when the snapshot is read and wholly acknowledged (the caller records it). */
  takeSnapshotCompletion(): SnapshotProgress | null {
    const s = this.snapshot;
    if (!s || s.recorded || !s.read || s.queued > 0 || s.acked < s.delivered) return null;
    s.recorded = true;
    return s;
  }

  private move(lsn: Lsn): void {
    this.acked = this.delivered = lsn;
    if (lsn > this.deliveredEver) this.deliveredEver = lsn;
    this.free = 0n;
  }
}
