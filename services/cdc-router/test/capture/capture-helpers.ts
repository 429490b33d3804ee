import type { Capture, CaptureBatch, CaptureRecord } from '../../src/capture/index.ts';
import { createCapture } from '../../src/capture/index.ts';
import type { CaptureOptionsInput } from '../../src/capture/index.ts';
import type { TestContext } from '@data-spine/testkit';

export function captureFor(
  ctx: TestContext,
  tables: string[],
  extra: Partial<CaptureOptionsInput> = {},
): Capture {
  return createCapture({
    connectionString: ctx.databaseUrl,
    topicPrefix: ctx.topicPrefix,
    tables,
    slotName: `${ctx.topicPrefix}_slot`,
    publicationName: `${ctx.topicPrefix}_pub`,
    batchMaxWaitMs: 5,
    ...extra,
  });
}

export interface Drained {
  records: CaptureRecord[];
  batches: CaptureBatch[];
}

/**
 * Reads batches until `count` records (of the given kinds) arrived, acknowledging each batch unless
 * `ack` is false. Fails after `timeoutMs`.
 */
export async function drain(
  capture: Capture,
  count: number,
  opts: { ack?: boolean; timeoutMs?: number; kinds?: CaptureRecord['kind'][] } = {},
): Promise<Drained> {
  const kinds = opts.kinds ?? ['change'];
  const out: Drained = { records: [], batches: [] };
  let seen = 0;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (seen < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out with ${seen} of ${count} records`);
    const batch = await Promise.race([
      capture.next(),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left).unref()),
    ]);
    if (batch === 'timeout') throw new Error(`timed out with ${seen} of ${count} records`);
    if (!batch) break;
    out.batches.push(batch);
    for (const r of batch.records) {
      out.records.push(r);
      if (kinds.includes(r.kind)) seen += 1;
    }
    if (opts.ack !== false) capture.ack(batch.lsn);
  }
  return out;
}

export function changes(
  records: CaptureRecord[],
): Array<{ op: string; key: unknown; after: unknown; before: unknown }> {
  return records
    .filter((r) => r.kind === 'change')
    .map((r) => {
      const v = r.value as { op: string; after?: unknown; before?: unknown };
      return { op: v.op, key: r.key, after: v.after ?? null, before: v.before ?? null };
    });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
