import type { Logger } from '@data-spine/service-kit';
import type { Capture, CaptureBatch } from '../capture/index.ts';
import type { RouterMetrics } from '../metrics.ts';
import type { Plan } from './change-router.ts';
import type { Delivery } from './delivery.ts';
import type { SourceRecord } from './source-record.ts';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Most captured records carry no headers: they share one empty (read-only) map. */
const NO_HEADERS: ReadonlyMap<string, string> = new Map();

function hasHeaders(h: Readonly<Record<string, string>>): boolean {
  for (const _ in h) return true;
  return false;
}

export function fromCaptureBatch(batch: CaptureBatch): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const r of batch.records) {
    if (r.kind !== 'change' && r.kind !== 'tombstone') continue;
    out.push({
      origin: { topic: r.topic, partition: null, offset: null },
      key: r.key,
      value: r.value,
      headers: hasHeaders(r.headers) ? new Map(Object.entries(r.headers)) : NO_HEADERS,
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
  // Two stages: while batch N is written (sinks, dead letters), batch N+1 is read and planned (pure).
  // Writes and acknowledgements stay in order; a write that fails is retried with a fresh plan.
  const deliver = async (batch: CaptureBatch, records: SourceRecord[], planned: Promise<Plan | null>) => {
    let plan = await planned;
    for (let attempt = 0; ; attempt++) {
      try {
        if (records.length > 0) {
          if (plan) await delivery.apply(records, plan);
          else await delivery.handle(records);
        }
        break;
      } catch (err) {
        if (abort.signal.aborted) return false;
        log.warn({ err: (err as Error).message, attempt }, 'batch held; retrying');
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)), abort.signal);
        plan = null;
      }
    }
    if (abort.signal.aborted) return false;
    capture.ack(batch.lsn);
    return true;
  };
  const done = (async () => {
    await capture.start();
    let inflight: Promise<boolean> | null = null;
    for (;;) {
      const batch = await capture.next();
      if (!batch || abort.signal.aborted) break;
      const records = fromCaptureBatch(batch);
      // A plan that fails (gate or registry down) is redone inside deliver's retry loop.
      const planned = records.length > 0 ? delivery.plan(records).catch(() => null) : Promise.resolve(null);
      if (inflight && !(await inflight)) return;
      inflight = deliver(batch, records, planned);
    }
    if (inflight) await inflight;
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
