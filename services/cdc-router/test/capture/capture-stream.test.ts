import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOAST_PLACEHOLDER, TransactionEvent, parseChangeRecord } from '@data-spine/contracts';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import {
  CaptureOptionsInvalid,
  CaptureSetupFailed,
  createCapture,
  isUnavailableValue,
} from '../../src/capture/index.ts';
import type { Capture, CaptureRecord } from '../../src/capture/index.ts';
import { captureFor, changes, drain, waitFor } from './capture-helpers.ts';

let ctx: TestContext;
const open: Capture[] = [];

beforeEach(async () => {
  ctx = await useTestContext('capture_stream');
  await ctx.sql('create table public.orders (id int primary key, note text, total numeric(10,2))');
  await ctx.sql('create table public.lines (order_id int, n int, sku text, primary key (order_id, n))');
});

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await ctx[Symbol.asyncDispose]();
});

function start(tables: string[], extra = {}): Capture {
  const c = captureFor(ctx, tables, extra);
  open.push(c);
  return c;
}

describe('embedded capture: stream semantics', () => {
  it('gives every change of a transaction its transaction block, between BEGIN and END records', async () => {
    const capture = start(['public.orders', 'public.lines'], { transactionMetadata: true });
    await capture.start();
    await ctx.sql(`begin;
      insert into public.orders values (1, 'first', 10.50);
      insert into public.lines values (1, 1, 'a'), (1, 2, 'b');
      update public.orders set total = 11.00 where id = 1;
      commit`);
    const got = await drain(capture, 6, { kinds: ['change', 'transaction'] });
    const kinds = got.records.map((r) => r.kind);
    expect(kinds).toEqual(['transaction', 'change', 'change', 'change', 'change', 'transaction']);
    const [begin, ...rest] = got.records;
    const end = rest.pop() as CaptureRecord;
    const b = TransactionEvent.parse(begin?.value);
    const e = TransactionEvent.parse(end.value);
    expect(b.status).toBe('BEGIN');
    expect(e).toMatchObject({ status: 'END', id: b.id, event_count: 4 });
    expect(e.data_collections).toEqual([
      { data_collection: 'public.orders', event_count: 2 },
      { data_collection: 'public.lines', event_count: 2 },
    ]);
    expect(begin?.topic).toBe(`${ctx.topicPrefix}.transaction`);
    const blocks = rest.map((r) => (r.kind === 'change' ? r.value.transaction : null));
    expect(blocks).toEqual([
      { id: b.id, total_order: 1, data_collection_order: 1 },
      { id: b.id, total_order: 2, data_collection_order: 1 },
      { id: b.id, total_order: 3, data_collection_order: 2 },
      { id: b.id, total_order: 4, data_collection_order: 2 },
    ]);
    // The composite key, in primary-key order.
    expect(rest[1]?.key).toEqual({ order_id: 1, n: 1 });
    expect(b.id).toBe(
      `${(rest[0] as { value: { source: { txId: number } } }).value.source.txId}:${b.id.split(':')[1]}`,
    );
    // Every change of the transaction shares its commit time.
    const commitTimes = new Set(rest.map((r) => (r.kind === 'change' ? r.value.source.ts_ms : 0)));
    expect(commitTimes.size).toBe(1);
  });

  it('marks an unchanged TOASTed value, keeps REPLICA IDENTITY DEFAULT before null and FULL before whole', async () => {
    await ctx.sql('create table public.doc (id int primary key, title text, body text)');
    await ctx.sql('create table public.doc_full (id int primary key, title text, body text)');
    await ctx.sql('alter table public.doc_full replica identity full');
    const capture = start(['public.doc', 'public.doc_full']);
    await capture.start();
    for (const t of ['doc', 'doc_full']) {
      await ctx.sql(
        `insert into public.${t} select 1, 't', string_agg(md5(i::text), '') from generate_series(1, 400) i`,
      );
      await ctx.sql(`update public.${t} set title = 't2' where id = 1`);
      await ctx.sql(`delete from public.${t} where id = 1`);
    }
    const got = changes((await drain(capture, 6)).records);
    const [ins, upd, del, insF, updF, delF] = got;
    expect((ins?.after as { body: string }).body).toHaveLength(32 * 400);
    expect(upd?.before).toBeNull();
    expect(upd?.after).toEqual({ id: 1, title: 't2', body: TOAST_PLACEHOLDER });
    expect(isUnavailableValue((upd?.after as { body: unknown }).body)).toBe(true);
    expect(del?.before).toEqual({ id: 1, title: null, body: null });
    expect((updF?.before as { title: string }).title).toBe('t');
    expect((updF?.after as { title: string }).title).toBe('t2');
    expect(insF?.op).toBe('c');
    expect((delF?.before as { title: string }).title).toBe('t2');
  });

  it('emits heartbeats while idle and lets an idle, fully acknowledged slot follow the server', async () => {
    const capture = start(['public.orders'], { heartbeatIntervalMs: 200, statusIntervalMs: 200 });
    await capture.start();
    const got = await drain(capture, 2, { kinds: ['heartbeat'] });
    const hb = got.records.find((r) => r.kind === 'heartbeat');
    expect(hb?.topic).toBe(`__debezium-heartbeat.${ctx.topicPrefix}`);
    expect(hb?.key).toEqual({ serverName: ctx.topicPrefix });
    // WAL written elsewhere (a table not captured) is not ours to hold back once we are caught up.
    await ctx.sql('create table public.other (id int)');
    await ctx.sql('insert into public.other select generate_series(1, 5000)');
    await waitFor(async () => {
      await drain(capture, 1, { kinds: ['heartbeat'] });
      return ((await capture.slotLagBytes()) ?? Infinity) < 10_000;
    }, 20_000);
  });

  it('pauses reading when the consumer does not keep up, and then delivers everything in order', async () => {
    const capture = start(['public.orders'], { maxBufferedRecords: 1000, batchMaxChanges: 500 });
    await capture.start();
    // 40 transactions: the walsender decodes one at a time, so a blocked send shows in its sent position.
    for (let t = 0; t < 40; t++) {
      await ctx.sql(
        `insert into public.orders select i, repeat('x', 400) || i, i from generate_series(${t * 1000 + 1}, ${(t + 1) * 1000}) i`,
      );
    }
    // Nobody reads for a while: the walsender must be held back (its sent position behind the WAL end).
    await new Promise((r) => setTimeout(r, 1500));
    const { rows } = await ctx.sql<{ behind: number }>(
      `select (pg_current_wal_lsn() - sent_lsn)::float8 as behind from pg_stat_replication where application_name = $1`,
      [`spine-capture-${ctx.topicPrefix}_slot`],
    );
    expect(rows[0]?.behind ?? 0).toBeGreaterThan(1_000_000);
    const got = await drain(capture, 40000, { timeoutMs: 60_000 });
    const ids = changes(got.records).map((c) => (c.key as { id: number }).id);
    expect(ids).toHaveLength(40000);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
    // A batch never exceeds its bound; positions only grow.
    expect(Math.max(...got.batches.map((b) => b.records.length))).toBeLessThanOrEqual(500);
    const lsns = got.batches.map((b) => b.lsn);
    expect(lsns.every((l, i) => i === 0 || l >= (lsns[i - 1] ?? 0n))).toBe(true);
  }, 90_000);

  it('gives batches inside a transaction a position before its end, so a restart delivers it whole again', async () => {
    const capture = start(['public.orders'], { batchMaxChanges: 100 });
    await capture.start();
    await ctx.sql(`insert into public.orders values (0, 'alone', 0)`);
    const first = await drain(capture, 1);
    const previousEnd = first.batches.at(-1)?.lsn ?? 0n;
    await ctx.sql(`insert into public.orders select i, 'n', i from generate_series(1, 450) i`);
    // Acknowledge only the batches inside the transaction, then stop.
    const got = await drain(capture, 400, { ack: false });
    expect(got.batches.map((b) => b.records.length)).toEqual([100, 100, 100, 100]);
    const inside = got.batches[0]?.lsn ?? 0n;
    expect(inside).toBeGreaterThanOrEqual(previousEnd);
    expect(got.batches.every((b) => b.lsn === inside)).toBe(true);
    capture.ack(inside);
    const tail = await drain(capture, 50, { ack: false });
    expect(tail.batches.at(-1)?.lsn).toBeGreaterThan(inside);
    await capture.close();
    // The transaction was not acknowledged whole: all of it comes again.
    const again = start(['public.orders'], { batchMaxChanges: 1000 });
    await again.start();
    const redelivered = await drain(again, 450);
    expect(changes(redelivered.records).map((c) => (c.key as { id: number }).id)).toEqual(
      Array.from({ length: 450 }, (_, i) => i + 1),
    );
  });

  it('delivers a throughput run of 50,000 committed changes in order, each parsing as Debezium', async () => {
    const capture = start(['public.orders']);
    await capture.start();
    const t0 = Date.now();
    for (let b = 0; b < 10; b++) {
      await ctx.sql(
        `insert into public.orders select i, 'n' || i, i / 100.0 from generate_series(${b * 5000 + 1}, ${(b + 1) * 5000}) i`,
      );
    }
    const got = await drain(capture, 50_000, { timeoutMs: 60_000 });
    const seconds = (Date.now() - t0) / 1000;
    const ids = got.records.map((r) => (r.key as { id: number }).id);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
    for (const r of got.records.filter((_, i) => i % 997 === 0)) {
      expect(parseChangeRecord(r.kind === 'change' ? r.value : null, r.headers).ok).toBe(true);
    }
    const rate = 50_000 / seconds;
    expect(rate).toBeGreaterThan(5_000);
  }, 90_000);

  it('speaks pgoutput protocol version 2 the same way', async () => {
    const capture = start(['public.orders'], { protoVersion: 2 });
    await capture.start();
    await ctx.sql(`insert into public.orders values (1, 'v2', 1.25)`);
    await ctx.sql(`select pg_logical_emit_message(true, 'spine', 'v2 message')`);
    const got = await drain(capture, 2);
    expect(got.records.map((r) => (r.kind === 'change' ? r.value.op : r.kind))).toEqual(['c', 'm']);
    expect(changes(got.records)[0]?.after).toEqual({ id: 1, note: 'v2', total: '1.25' });
  });

  it('refuses bad options and missing tables with coded errors', async () => {
    expect(() =>
      createCapture({
        connectionString: ctx.databaseUrl,
        topicPrefix: 'x',
        tables: ['nodot'],
        slotName: 'Bad-Slot',
        publicationName: 'p',
      }),
    ).toThrow(CaptureOptionsInvalid);
    try {
      createCapture({
        connectionString: '',
        topicPrefix: 'x',
        tables: [],
        slotName: 's',
        publicationName: 'p',
      });
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('CDC_CAPTURE_OPTIONS_INVALID');
      expect((err as Error).message).toMatch(/connectionString/);
      expect((err as Error).message).toMatch(/tables/);
    }
    const missing = captureFor(ctx, ['public.nope']);
    await expect(missing.start()).rejects.toBeInstanceOf(CaptureSetupFailed);
    await missing.close();
  });
});
