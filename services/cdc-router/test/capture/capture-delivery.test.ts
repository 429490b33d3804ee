import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import type { Capture } from '../../src/capture/index.ts';
import { captureFor, changes, drain, waitFor } from './capture-helpers.ts';

let ctx: TestContext;
const open: Capture[] = [];

beforeEach(async () => {
  ctx = await useTestContext('capture_delivery');
  await ctx.sql('create table public.item (id int primary key, label text, qty int)');
});

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await ctx[Symbol.asyncDispose]();
});

function start(tables = ['public.item'], extra = {}): Capture {
  const c = captureFor(ctx, tables, extra);
  open.push(c);
  return c;
}

async function confirmedFlush(): Promise<string | null> {
  const { rows } = await ctx.sql<{ lsn: string | null }>(
    'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
    [`${ctx.topicPrefix}_slot`],
  );
  return rows[0]?.lsn ?? null;
}

describe('embedded capture: snapshot, resume and acknowledgement', () => {
  it('snapshots existing rows as r, then streams later writes exactly once, even while the snapshot is read', async () => {
    await ctx.sql(`insert into public.item select i, 'old-' || i, i from generate_series(1, 3000) i`);
    // A tiny buffer: the snapshot cursor waits for the consumer while new writes land.
    const capture = start(['public.item'], {
      snapshotFetchSize: 100,
      maxBufferedRecords: 200,
      batchMaxChanges: 100,
    });
    await capture.start();
    const first = await drain(capture, 100);
    expect(first.batches[0]?.phase).toBe('snapshot');
    await ctx.sql(`insert into public.item select i, 'new-' || i, i from generate_series(3001, 3500) i`);
    await ctx.sql(`update public.item set qty = -1 where id <= 10`);
    await ctx.sql(`delete from public.item where id between 11 and 20`);
    const rest = await drain(capture, 3000 - 100 + 500 + 10 + 10);
    const all = changes([...first.records, ...rest.records]);

    const snapshot = all.filter((c) => c.op === 'r');
    expect(snapshot).toHaveLength(3000);
    expect(new Set(snapshot.map((c) => (c.key as { id: number }).id)).size).toBe(3000);
    // The snapshot is the state at the slot's consistent point: none of the later writes are in it.
    expect(snapshot.every((c) => (c.after as { label: string }).label.startsWith('old-'))).toBe(true);
    expect(snapshot.every((c) => (c.after as { qty: number }).qty > 0)).toBe(true);
    expect(all.filter((c) => c.op === 'c').map((c) => (c.key as { id: number }).id)).toEqual(
      Array.from({ length: 500 }, (_, i) => 3001 + i),
    );
    expect(all.filter((c) => c.op === 'u')).toHaveLength(10);
    expect(all.filter((c) => c.op === 'd')).toHaveLength(10);
    // Markers as Debezium writes them.
    const markers = [...first.records, ...rest.records]
      .filter((r) => r.kind === 'change' && r.value.op === 'r')
      .map((r) => (r.kind === 'change' ? r.value.source.snapshot : null));
    expect(markers[0]).toBe('first');
    expect(markers.at(-1)).toBe('last');
    expect(markers.slice(1, -1).every((m) => m === 'true')).toBe(true);
  });

  it('resumes from the acknowledged position after a restart: no snapshot again, nothing lost, nothing twice', async () => {
    await ctx.sql(`insert into public.item values (1, 'a', 1)`);
    const a = start();
    await a.start();
    await drain(a, 1);
    for (let i = 2; i <= 5; i++) await ctx.sql(`insert into public.item values ($1, 'b', 1)`, [i]);
    const got = await drain(a, 4);
    expect(changes(got.records).map((c) => c.op)).toEqual(['c', 'c', 'c', 'c']);
    await a.close();
    // Written while no capture runs.
    for (let i = 6; i <= 8; i++) await ctx.sql(`insert into public.item values ($1, 'c', 1)`, [i]);

    const b = start();
    await b.start();
    const after = await drain(b, 3);
    expect(after.batches.every((x) => x.phase === 'stream')).toBe(true);
    expect(changes(after.records).map((c) => [c.op, (c.key as { id: number }).id])).toEqual([
      ['c', 6],
      ['c', 7],
      ['c', 8],
    ]);
    // Nothing more is pending.
    await ctx.sql(`insert into public.item values (9, 'd', 1)`);
    const last = await drain(b, 1);
    expect(changes(last.records).map((c) => (c.key as { id: number }).id)).toEqual([9]);
  });

  it('redelivers what was delivered but not acknowledged, and never reports a position before the ack', async () => {
    const a = start();
    await a.start();
    const before = await confirmedFlush();
    await ctx.sql(`insert into public.item values (1, 'x', 1), (2, 'y', 2)`);
    const got = await drain(a, 2, { ack: false });
    const lsn = got.batches.at(-1)?.lsn ?? 0n;
    expect(lsn).toBeGreaterThan(0n);
    // Acknowledging a position never delivered is refused.
    expect(() => a.ack(lsn + 1_000_000n)).toThrow(/never delivered/);
    // Keepalives come and go; the slot does not move without an ack, and its lag shows it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await confirmedFlush()).toBe(before);
    expect(await a.slotLagBytes()).toBeGreaterThan(0);
    await a.close();

    const b = start();
    await b.start();
    const again = await drain(b, 2);
    expect(changes(again.records).map((c) => (c.key as { id: number }).id)).toEqual([1, 2]);
    const acked = again.batches.at(-1)?.lsn ?? 0n;
    await waitFor(async () => (await confirmedFlush()) !== before);
    expect(b.positions().acknowledged).toBeGreaterThanOrEqual(acked);
    await b.close();

    const c = start();
    await c.start();
    await ctx.sql(`insert into public.item values (3, 'z', 3)`);
    const third = await drain(c, 1);
    expect(changes(third.records).map((x) => (x.key as { id: number }).id)).toEqual([3]);
  });

  it('takes the snapshot again when the process stopped before the snapshot was acknowledged', async () => {
    await ctx.sql(`insert into public.item select i, 'v', i from generate_series(1, 50) i`);
    const a = start(['public.item'], { batchMaxChanges: 10, snapshotFetchSize: 10 });
    await a.start();
    const part = await drain(a, 10, { ack: false });
    expect(part.batches[0]?.phase).toBe('snapshot');
    await a.close();

    const b = start(['public.item'], { batchMaxChanges: 10, snapshotFetchSize: 10 });
    await b.start();
    const full = await drain(b, 50);
    expect(changes(full.records).filter((c) => c.op === 'r')).toHaveLength(50);
    await b.close();
    // Acknowledged this time: the next start streams only.
    await ctx.sql(`insert into public.item values (51, 'w', 1)`);
    const c = start();
    await c.start();
    const next = await drain(c, 1);
    expect(changes(next.records).map((x) => [x.op, (x.key as { id: number }).id])).toEqual([['c', 51]]);
  });

  it('reconnects after the walsender is killed and redelivers from the acknowledged position', async () => {
    const a = start(['public.item'], { reconnectMinMs: 50 });
    await a.start();
    await ctx.sql(`insert into public.item values (1, 'x', 1)`);
    await drain(a, 1);
    await ctx.sql(`insert into public.item values (2, 'y', 1)`);
    const unacked = await drain(a, 1, { ack: false });
    expect(changes(unacked.records).map((c) => (c.key as { id: number }).id)).toEqual([2]);
    await ctx.sql(
      `select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null`,
      [`${ctx.topicPrefix}_slot`],
    );
    await ctx.sql(`insert into public.item values (3, 'z', 1)`);
    const after = await drain(a, 2, { timeoutMs: 30_000 });
    expect(changes(after.records).map((c) => (c.key as { id: number }).id)).toEqual([2, 3]);
  });
});
