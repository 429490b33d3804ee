import type { CaptureRecord, Lsn } from './types.ts';

export type QueueItem =
  { kind: 'record'; record: CaptureRecord; phase: 'snapshot' | 'stream' } | { kind: 'commit'; lsn: Lsn };

export interface Taken {
  records: CaptureRecord[];
  phase: 'snapshot' | 'stream';
  /** The last transaction end taken (the batch's acknowledgement position), if any. */
  commitLsn: Lsn | null;
}

/** A FIFO of decoded records and transaction ends, counted in records, with O(1) removal at the head. */
export class RecordQueue {
  private items: QueueItem[] = [];
  private head = 0;
  /** Records (not transaction ends) queued. */
  records = 0;
  /** When the oldest queued record arrived (ms), 0 when none. */
  oldestAt = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: QueueItem): void {
    if (item.kind === 'record') {
      if (this.records === 0) this.oldestAt = Date.now();
      this.records += 1;
    }
    this.items.push(item);
  }

  /**
   * Takes up to `max` records of one phase, with the transaction ends among and right after them, so a
   * batch that ends where a transaction ends carries that transaction's end.
   */
  take(max: number): Taken {
    const records: CaptureRecord[] = [];
    let commitLsn: Lsn | null = null;
    let phase: 'snapshot' | 'stream' | null = null;
    while (this.head < this.items.length) {
      const item = this.items[this.head] as QueueItem;
      if (item.kind === 'commit') {
        commitLsn = item.lsn;
      } else {
        if (records.length >= max) break;
        if (phase !== null && item.phase !== phase) break;
        phase = item.phase;
        records.push(item.record);
        this.records -= 1;
      }
      this.head += 1;
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    // Records left behind are older than the batch just taken: they go out at the next call.
    if (this.records === 0) this.oldestAt = 0;
    return { records, phase: phase ?? 'stream', commitLsn };
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.records = 0;
    this.oldestAt = 0;
  }
}
