import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '@data-spine/bus';
import type { BusRecord } from '@data-spine/bus';
import { parseChangeRecord, TOAST_PLACEHOLDER } from '@data-spine/contracts';
import { debeziumPostgresConfig, useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { createCapture, isUnavailableValue } from '../../src/capture/index.ts';
import type { Capture, CaptureRecord } from '../../src/capture/index.ts';

/**
 * The same table, the same WAL, two readers: Debezium 3.7 in Kafka Connect and our capture. Every common
 * column type must come out with Debezium's value encoding, key, op, before/after and source position.
 */
const TABLE = 'public.all_types';
const TABLES = [TABLE, 'public.customer', 'public.ticket'];
const COLUMNS = `
  id int primary key, c_bool bool, c_int2 smallint, c_int4 int, c_int8 bigint, c_float4 real,
  c_float8 double precision, c_numeric numeric(12,2), c_numeric_free numeric, c_text text, c_varchar varchar(20),
  c_char char(5), c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea, c_date date, c_time time,
  c_time3 time(3), c_timetz timetz, c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz, c_tstz0 timestamptz(0),
  c_tstz3 timestamptz(3), c_interval interval, c_inet inet, c_cidr cidr, c_macaddr macaddr, c_text_arr text[],
  c_int_arr int[], c_bit1 bit(1), c_bit8 bit(8), c_varbit varbit, c_money money, c_enum mood, c_xml xml,
  c_domain positive_int, c_oid oid`;
const ROW = (
  id: number,
) => `(${id}, true, -32768, 2147483647, 9007199254740991, 1.5, 3.141592653589793, 1234567890.12,
  0.000000000000000000000123, 'héllo "wörld"', 'varchar', 'ab', '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  '{"a": [1, 2, {"b": null}]}', '{"z": 1, "a": "x"}', '\\x00ff10', '2024-02-29', '13:14:15.123456', '01:02:03.4567',
  '10:11:12.5+02:30', '2024-01-02 03:04:05.678901', '1999-12-31 23:59:59.999', '2024-06-30 22:00:00.123456+02',
  '2024-06-30 22:00:00.7+00', '2024-06-30 22:00:00.1234+00', '1 year 2 mons 3 days 04:05:06.5', '192.168.0.1/24',
  '10.0.0.0/8', '08:00:2b:01:02:03', '{"a","b c",NULL,"d\\"e"}', '{1,2,3}', B'1', B'10100101', B'101', 1234.56,
  'happy', '<a>b</a>', 7, 42)`;

let ctx: TestContext;
let capture: Capture;
let bus: KafkaBus;

beforeAll(async () => {
  ctx = await useTestContext('capture_parity');
  await ctx.sql(`create type mood as enum ('sad', 'happy')`);
  await ctx.sql(`create domain positive_int as int check (value > 0)`);
  await ctx.sql(`create table ${TABLE} (${COLUMNS})`);
  await ctx.sql(`insert into ${TABLE} values ${ROW(1)}`);
  await ctx.sql(`insert into ${TABLE} (id) values (2)`);
  await ctx.sql(`create table public.customer (id uuid primary key, name text, status text)`);
  await ctx.sql(`alter table public.customer replica identity full`);
  await ctx.sql(
    `create table public.ticket (id int primary key, subject text, body text, tags text[], blob bytea)`,
  );
  // Out of line, uncompressed, whatever their content: an update that leaves them alone does not carry them.
  await ctx.sql(
    `alter table public.ticket alter column tags set storage external, alter column blob set storage external`,
  );
  await ctx.sql(
    `insert into public.customer values ('00000000-0000-4000-8000-000000000001', 'Ada', 'active')`,
  );
  bus = new KafkaBus({ clientId: `parity-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
});

afterAll(async () => {
  await capture?.close();
  await bus?.close();
  await ctx?.[Symbol.asyncDispose]();
});

function comparable(value: unknown): Record<string, unknown> {
  const v = value as Record<string, unknown>;
  const source = v.source as Record<string, unknown>;
  return {
    op: v.op,
    before: v.before,
    after: v.after,
    message: v.message,
    source: {
      connector: source.connector,
      name: source.name,
      db: source.db,
      schema: source.schema,
      table: source.table,
      snapshot: source.snapshot,
      ...(v.op === 'r' ? {} : { lsn: source.lsn, txId: source.txId, sequence: source.sequence }),
      // The commit time; a message outside a transaction has none (both stamp it when they read it).
      ...(v.op === 'r' || source.txId === null ? {} : { ts_ms: source.ts_ms }),
    },
  };
}

describe('capture vs Debezium on the same WAL', () => {
  it('encodes every common column type, key and position as Debezium does', async () => {
    const prefix = ctx.topicPrefix;
    await ctx.connect().createConnector(
      `${prefix}-dbz`,
      debeziumPostgresConfig({
        databaseUrl: ctx.databaseUrl,
        topicPrefix: prefix,
        tables: TABLES,
        slotName: `${prefix}_dbz`,
        extra: { 'skipped.operations': 'none' },
      }),
    );
    await ctx.connect().waitForConnectorRunning(`${prefix}-dbz`);
    // RUNNING comes before Debezium's snapshot; a change made before it reads the tables would be in its
    // snapshot instead of its stream. Subscribe now and wait for the three snapshot rows first.
    const theirs: BusRecord[] = [];
    // (Subscribe to the snapshot's topics only: the bus waits for its topics to exist, and the ticket and
    // message topics appear only with their first change. The same group resumes after these below.)
    const snapshotSub = await bus.subscribe(
      { groupId: ctx.groupId, topics: [`${prefix}.public.all_types`, `${prefix}.public.customer`] },
      async (batch) => {
        theirs.push(...batch.records);
      },
    );
    const snapshotDeadline = Date.now() + 120_000;
    while (theirs.length < 3 && Date.now() < snapshotDeadline) await new Promise((r) => setTimeout(r, 200));
    await snapshotSub.close();
    expect(theirs.length, 'Debezium snapshot records').toBe(3);
    capture = createCapture({
      connectionString: ctx.databaseUrl,
      topicPrefix: prefix,
      tables: TABLES,
      slotName: `${prefix}_cap`,
      publicationName: `${prefix}_cap_pub`,
    });
    await capture.start();

    await ctx.sql(`insert into ${TABLE} values ${ROW(3)}`);
    await ctx.sql(`update ${TABLE} set c_text = 'changed', c_int_arr = '{}' where id = 3`);
    await ctx.sql(`delete from ${TABLE} where id = 2`);
    // Incompressible, so it is TOASTed out of line (as are the array and the bytea); then an update that
    // leaves them alone.
    await ctx.sql(
      `insert into public.ticket select 1, 'Login fails', string_agg(md5(i::text), ''), array_agg(md5(i::text)),
         decode(string_agg(md5(i::text), ''), 'hex') from generate_series(1, 600) i`,
    );
    await ctx.sql(`update public.ticket set subject = 'Login fails on SSO' where id = 1`);
    await ctx.sql(`delete from public.ticket where id = 1`);
    await ctx.sql(`update public.customer set status = 'churned'`);
    await ctx.sql(`update public.customer set id = '00000000-0000-4000-8000-000000000002'`);
    await ctx.sql(`truncate public.customer`);
    await ctx.sql(`select pg_logical_emit_message(true, 'spine', 'hello')`);
    await ctx.sql(`select pg_logical_emit_message(false, 'spine', 'outside')`);

    const expected: Record<string, number> = {
      [`${prefix}.public.all_types`]: 6, // 2 snapshot rows, c, u, d + tombstone
      [`${prefix}.public.ticket`]: 4, // c, u (TOAST placeholder), d + tombstone
      [`${prefix}.public.customer`]: 6, // r, u, d + tombstone + c (key change), t
      [`${prefix}.message`]: 2,
    };
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    const ours: CaptureRecord[] = [];
    const oursDeadline = Date.now() + 60_000;
    while (ours.length < total && Date.now() < oursDeadline) {
      const batch = await capture.next();
      if (!batch) break;
      ours.push(...batch.records);
      capture.ack(batch.lsn);
    }

    const sub = await bus.subscribe(
      { groupId: ctx.groupId, topics: Object.keys(expected) },
      async (batch) => {
        theirs.push(...batch.records);
      },
    );
    const deadline = Date.now() + 120_000;
    while (theirs.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await sub.close();
    expect(ours.map((r) => `${r.topic}:${r.kind}`)).toHaveLength(total);
    expect(theirs.map((r) => r.topic)).toHaveLength(total);

    for (const topic of Object.keys(expected)) {
      const t = theirs.filter((r) => r.topic === topic);
      const o = ours.filter((r) => r.topic === topic);
      expect(o.length, topic).toBe(expected[topic]);
      expect(t.length, topic).toBe(expected[topic]);
      for (let i = 0; i < t.length; i++) {
        const dbz = t[i] as BusRecord;
        const mine = o[i] as CaptureRecord;
        const where = `${topic} #${i}`;
        expect(mine.key, where).toEqual(dbz.key === null ? null : JSON.parse(dbz.key.toString('utf8')));
        const headers = Object.fromEntries(
          [...dbz.headers]
            .filter(([k]) => !k.startsWith('__debezium.context'))
            .map(([k, v]) => [k, v.toString('utf8')]),
        );
        expect(mine.headers, where).toEqual(headers);
        if (dbz.value === null) {
          expect(mine.value, where).toBeNull();
          continue;
        }
        const value = JSON.parse(dbz.value.toString('utf8')) as unknown;
        expect(comparable(mine.value), where).toEqual(comparable(value));
        // Ours parse with the very parser the router uses for Debezium's.
        expect(parseChangeRecord(mine.value as object, mine.headers).ok, where).toBe(true);
      }
    }
    // The update that left the TOASTed columns alone: Debezium's placeholders for text, text[] and bytea,
    // every one of them recognised (so the router writes none of them).
    const toasted = theirs.find(
      (r) => r.topic === `${prefix}.public.ticket` && r.value?.toString('utf8').includes('"op":"u"'),
    );
    const after = (JSON.parse(toasted?.value?.toString('utf8') ?? '{}') as { after: Record<string, unknown> })
      .after;
    expect(after.tags).toEqual([TOAST_PLACEHOLDER]);
    expect(after.blob).toBe(Buffer.from(TOAST_PLACEHOLDER).toString('base64'));
    for (const column of ['body', 'tags', 'blob'])
      expect(isUnavailableValue(after[column]), column).toBe(true);
  }, 300_000);
});
