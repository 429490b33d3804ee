/**
 * How a waiting `next()` is woken. Waiting for `any` record, every new record wakes it; waiting for a
 * `batch` (records are there, the batch window is open), only a full batch or a finished transaction does,
 * so a busy stream does not wake the consumer once per message.
 */
export class ConsumerWakeup {
  private wake: (() => void) | null = null;
  private mode: 'any' | 'batch' | null = null;
  private scheduled = false;
  /** A transaction end is queued and the socket's data so far is decoded: worth delivering now. */
  txReady = false;
  private readonly batchFull: () => boolean;

  constructor(batchFull: () => boolean) {
    this.batchFull = batchFull;
  }

  /** Wakes the waiter if what it waits for is there (`force`: always). */
  signal(force = true): void {
    const w = this.wake;
    if (!w) return;
    if (!force && this.mode === 'batch' && !this.batchFull() && !this.txReady) return;
    this.wake = null;
    this.mode = null;
    w();
  }

  /** After the current socket data is decoded (setImmediate), a queued transaction end is ready. */
  scheduleTxReady(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.txReady = true;
      this.signal(false);
    });
  }

  sleep(ms: number, mode: 'any' | 'batch'): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.wake = null;
          this.mode = null;
          resolve();
        },
        Math.max(1, ms),
      );
      this.mode = mode;
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
