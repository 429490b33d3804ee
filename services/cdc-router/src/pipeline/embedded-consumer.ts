import type { Logger } from '@data-spine/service-kit';
import type { Capture, CaptureBatch } from '../capture/index.ts';
import type { RouterMetrics } from '../metrics.ts';
import type { Delivery } from './delivery.ts';
import type { SourceRecord } from './source-record.ts';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export function fromCaptureBatch(batch: CaptureBatch): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const r of batch.records) {
    if (r.kind !== 'change' && r.kind !== 'tombstone') continue;
    out.push({
      origin: { topic: r.topic, partition: null, offset: null },
      key: r.key,
      value: r.value,
      headers: new Map(Object.entries(r.headers)),
      trusted: r.kind === 'tombstone' ? 'tombstone' : r.value,
    });
  }
  return out;
}

export interface EmbeddedConsumer {
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/**
 * Embedded mode: one source's pgoutput capture. Each batch is delivered (retried with backoff while a
 * dependency fails, holding the slot), and only then acknowledged, so the slot never passes a change the
 * sinks do not hold.
 */
export function runEmbeddedConsumer(
  capture: Capture,
  delivery: Delivery,
  metrics: RouterMetrics,
  slot: string,
  log: Logger,
): EmbeddedConsumer {
  const abort = new AbortController();
  const lagTimer = setInterval(() => {
    capture
      .slotLagBytes()
      .then((b) => b !== null && metrics.slotLag.set({ slot }, b))
      .catch(() => {});
  }, 5_000);
  lagTimer.unref();
  const done = (async () => {
    await capture.start();
    for (;;) {
      const batch = await capture.next();
      if (!batch || abort.signal.aborted) break;
      const records = fromCaptureBatch(batch);
      for (let attempt = 0; ; attempt++) {
        try {
          if (records.length > 0) await delivery.handle(records);
          break;
        } catch (err) {
          if (abort.signal.aborted) return;
          log.warn({ err: (err as Error).message, attempt }, 'batch held; retrying');
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)), abort.signal);
        }
      }
      if (abort.signal.aborted) break;
      capture.ack(batch.lsn);
    }
  })().finally(() => clearInterval(lagTimer));
  return {
    done,
    async close() {
      abort.abort();
      await capture.close();
      await done.catch(() => {});
    },
  };
}
