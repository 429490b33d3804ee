import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PK_CHANGE_HEADERS, TOAST_PLACEHOLDER, parseChangeRecord } from '@data-spine/contracts';
import { decodePgOutput, UNCHANGED_TOAST } from './pgoutput-decoder.ts';
import type { TupleValue } from './pgoutput-decoder.ts';
import { StreamDecoder } from './stream-decoder.ts';
import type { StreamItem } from './stream-decoder.ts';
import { Oid } from './value-decoder.ts';
import { PG_EPOCH_MICROS } from './wire-client.ts';

/** Writes pgoutput messages byte by byte, as the protocol documentation lays them out. */
class Msg {
  private parts: Buffer[] = [];
  byte(c: string | number): this {
    this.parts.push(Buffer.from([typeof c === 'string' ? c.charCodeAt(0) : c]));
    return this;
  }
  i16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  i32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  i64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  str(s: string): this {
    this.parts.push(Buffer.from(`${s}\0`));
    return this;
  }
  tuple(values: TupleValue[]): this {
    this.i16(values.length);
    for (const v of values) {
      if (v === null) this.byte('n');
      else if (v === UNCHANGED_TOAST) this.byte('u');
      else {
        const b = Buffer.from(v);
        this.byte('t').i32(b.length);
        this.parts.push(b);
      }
    }
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const pgTime = (ms: number) => BigInt(ms) * 1000n - PG_EPOCH_MICROS;
const begin = (finalLsn: bigint, ms: number, xid: number) =>
  new Msg().byte('B').i64(finalLsn).i64(pgTime(ms)).i32(xid).done();
const commit = (lsn: bigint, end: bigint, ms: number) =>
  new Msg().byte('C').byte(0).i64(lsn).i64(end).i64(pgTime(ms)).done();

const CUSTOMER_COLUMNS: Array<[string, number]> = [
  ['id', Oid.uuid],
  ['name', Oid.text],
  ['email', Oid.text],
  ['status', Oid.text],
  ['created_at', Oid.timestamptz],
  ['annual_revenue', Oid.numeric],
  ['industry', Oid.text],
];
function relation(
  id: number,
  table: string,
  ident: string,
  columns: Array<[string, number]>,
  keys: string[],
): Buffer {
  const m = new Msg().byte('R').i32(id).str('public').str(table).byte(ident).i16(columns.length);
  for (const [name, oid] of columns)
    m.byte(keys.includes(name) || ident === 'f' ? 1 : 0)
      .str(name)
      .i32(oid)
      .i32(-1);
  return m.done();
}

interface FixtureRecord {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}
const fixtures = (name: string) =>
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../../../packages/contracts/test/fixtures/debezium', `${name}.json`),
      'utf8',
    ),
  ) as FixtureRecord[];
const payload = (r: FixtureRecord | undefined): Record<string, unknown> | null => {
  if (!r?.value) return null;
  const v = JSON.parse(r.value) as { payload?: unknown };
  return (v.payload ?? v) as Record<string, unknown>;
};
const keyOf = (r: FixtureRecord | undefined): unknown => {
  const k = JSON.parse(r?.key ?? 'null') as { payload?: unknown } | null;
  return k && typeof k === 'object' && 'payload' in k ? k.payload : k;
};

const ctx = { prefix: 't7a73b2b674', database: 't_smoke_7a73b2b674', transactionMetadata: false };
const ada = [
  '00000000-0000-4000-8000-000000000001',
  'Ada Lovelace',
  'ada@example.com',
  'active',
  '2024-01-02 03:04:05+00',
  '1234567.89',
  'Computing',
];
const grace = [
  '00000000-0000-4000-8000-000000000002',
  'Grace Hopper',
  'grace@example.com',
  'trial',
  '2024-02-03 04:05:06+00',
  '42.00',
  'Navy',
];

function run(
  messages: Array<[bigint, Buffer]>,
  keys = new Map([
    ['public.customer', ['id']],
    ['public.support_ticket', ['id']],
  ]),
) {
  const d = new StreamDecoder(ctx, keys, new Map(), 0n);
  const out: StreamItem[] = [];
  for (const [lsn, data] of messages) d.decode(lsn, data, out);
  return out;
}
const recordsOf = (items: StreamItem[]) => items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));

describe('StreamDecoder against the recorded Debezium events', () => {
  const recorded = fixtures('customer-with-schemas');

  it('produces the update of a REPLICA IDENTITY FULL table as Debezium recorded it', () => {
    const items = run([
      [1n, relation(16390, 'customer', 'f', CUSTOMER_COLUMNS, ['id'])],
      [26387928n, begin(26388000n, 1795373905342, 732)],
      [
        26387928n,
        new Msg()
          .byte('U')
          .i32(16390)
          .byte('O')
          .tuple(ada)
          .byte('N')
          .tuple([...ada.slice(0, 3), 'churned', ...ada.slice(4)])
          .done(),
      ],
      [26388100n, commit(26388000n, 26388100n, 1795373905342)],
    ]);
    const [u] = recordsOf(items);
    const expected = payload(recorded[2]);
    expect(u?.topic).toBe('t7a73b2b674.public.customer');
    expect(u?.key).toEqual(keyOf(recorded[2]));
    expect(u?.value).toMatchObject({
      op: 'u',
      before: expected?.before,
      after: expected?.after,
      transaction: null,
      source: {
        connector: 'postgresql',
        name: ctx.prefix,
        db: ctx.database,
        schema: 'public',
        table: 'customer',
        txId: 732,
        lsn: 26387928,
        ts_ms: 1795373905342,
        snapshot: 'false',
        sequence: '[null,"26387928"]',
      },
    });
    expect(items.at(-1)).toEqual({ kind: 'commit', lsn: 26388100n });
    expect(parseChangeRecord(u?.value as object).ok).toBe(true);
  });

  it('turns a primary-key update into delete, tombstone and create with the key headers', () => {
    const moved = ['00000000-0000-4000-8000-000000000003', ...grace.slice(1)];
    const items = run([
      [1n, relation(16390, 'customer', 'f', CUSTOMER_COLUMNS, ['id'])],
      [26388216n, begin(26388300n, 1795373905343, 733)],
      [26388216n, new Msg().byte('U').i32(16390).byte('O').tuple(grace).byte('N').tuple(moved).done()],
      [26388400n, commit(26388300n, 26388400n, 1795373905343)],
    ]);
    const records = recordsOf(items);
    expect(records.map((r) => r.kind)).toEqual(['change', 'tombstone', 'change']);
    const [del, tomb, create] = records;
    // recorded[3..5]: the delete, its tombstone, the create.
    expect(del?.key).toEqual(keyOf(recorded[3]));
    expect(del?.headers).toEqual({
      [PK_CHANGE_HEADERS.newKey]: recorded[3]?.headers[PK_CHANGE_HEADERS.newKey],
    });
    expect(del?.value).toMatchObject({ op: 'd', before: payload(recorded[3])?.before, after: null });
    expect(tomb?.value).toBeNull();
    expect(tomb?.headers).toEqual({
      [PK_CHANGE_HEADERS.newKey]: recorded[4]?.headers[PK_CHANGE_HEADERS.newKey],
    });
    expect(create?.key).toEqual(keyOf(recorded[5]));
    expect(create?.headers).toEqual({
      [PK_CHANGE_HEADERS.oldKey]: recorded[5]?.headers[PK_CHANGE_HEADERS.oldKey],
    });
    expect(create?.value).toMatchObject({ op: 'c', before: null, after: payload(recorded[5])?.after });
    const parsed = parseChangeRecord(create?.value, create?.headers);
    expect(parsed.ok && parsed.value.kind === 'change' && parsed.value.keyChange).toBe('new-key');
  });

  it('emits delete + tombstone, truncate without a key, and a TOAST placeholder under REPLICA IDENTITY DEFAULT', () => {
    const tickets = fixtures('support-ticket-plain');
    const cols: Array<[string, number]> = [
      ['id', Oid.int4],
      ['subject', Oid.text],
      ['body', Oid.text],
    ];
    const items = run([
      [1n, relation(16400, 'support_ticket', 'd', cols, ['id'])],
      [2n, relation(16390, 'customer', 'f', CUSTOMER_COLUMNS, ['id'])],
      [100n, begin(150n, 1795373907206, 739)],
      [
        100n,
        new Msg().byte('U').i32(16400).byte('N').tuple(['1', 'Login fails on SSO', UNCHANGED_TOAST]).done(),
      ],
      [160n, commit(150n, 160n, 1795373907206)],
      [200n, begin(250n, 1795373907207, 741)],
      [200n, new Msg().byte('D').i32(16400).byte('K').tuple(['1', null, null]).done()],
      [260n, commit(250n, 260n, 1795373907207)],
      [300n, begin(350n, 1795373907208, 742)],
      [300n, new Msg().byte('T').i32(1).byte(0).i32(16390).done()],
      [360n, commit(350n, 360n, 1795373907208)],
    ]);
    const [upd, del, tomb, trunc] = recordsOf(items);
    expect(upd?.value).toMatchObject({ op: 'u', before: null, after: payload(tickets[1])?.after });
    expect((upd?.value as unknown as { after: { body: string } }).after.body).toBe(TOAST_PLACEHOLDER);
    expect(del?.value).toMatchObject({ op: 'd', before: payload(tickets[2])?.before });
    expect(tomb).toMatchObject({ kind: 'tombstone', key: { id: 1 }, value: null });
    expect(trunc).toMatchObject({
      kind: 'change',
      key: null,
      topic: 't7a73b2b674.public.customer',
      value: { op: 't', before: null, after: null },
    });
    // sequence: [end of the previous transaction in this session, lsn]
    expect((del?.value as { source: { sequence: string } }).source.sequence).toBe('["160","200"]');
    expect(items.filter((i) => i.kind === 'commit').map((i) => (i.kind === 'commit' ? i.lsn : 0n))).toEqual([
      160n,
      260n,
      360n,
    ]);
  });

  it('emits logical messages like the recorded one, and acknowledges a non-transactional one by itself', () => {
    const [wrapped] = fixtures('logical-message');
    const content = Buffer.from('hello from the smoke test');
    const msgItems = run([
      [26412912n, begin(26413100n, 1795373907206, 740)],
      [
        26413000n,
        Buffer.concat([
          new Msg().byte('M').byte(1).i64(26413000n).str('spine').i32(content.length).done(),
          content,
        ]),
      ],
      [26413200n, commit(26413100n, 26413200n, 1795373907206)],
      [
        26413300n,
        Buffer.concat([
          new Msg().byte('M').byte(0).i64(26413300n).str('spine').i32(content.length).done(),
          content,
        ]),
      ],
    ]);
    const [m, outside] = recordsOf(msgItems);
    const expected = payload(wrapped);
    expect(m?.topic).toBe('t7a73b2b674.message');
    expect(m?.key).toEqual({ prefix: 'spine' });
    expect((m?.value as { message: unknown }).message).toEqual(expected?.message);
    expect(m?.value).toMatchObject({ op: 'm', source: { schema: '', table: '', txId: 740, lsn: 26413000 } });
    expect(outside?.value).toMatchObject({
      op: 'm',
      source: { txId: null, lsn: 26413300, sequence: '["26413300","26413300"]' },
    });
    expect(msgItems.at(-1)).toEqual({ kind: 'commit', lsn: 26413301n });
    expect(parseChangeRecord(m?.value as object).ok).toBe(true);
  });

  it('ignores tables it does not capture and refuses garbage with a coded error', () => {
    const items = run([
      [1n, relation(16500, 'elsewhere', 'd', [['id', Oid.int4]], ['id'])],
      [10n, begin(20n, 0, 9)],
      [10n, new Msg().byte('I').i32(16500).byte('N').tuple(['1']).done()],
      [30n, commit(20n, 30n, 0)],
    ]);
    expect(recordsOf(items)).toEqual([]);
    expect(() => run([[1n, Buffer.from('Z')]])).toThrow(
      expect.objectContaining({ code: 'CDC_CAPTURE_PROTOCOL' }),
    );
    expect(() => decodePgOutput(Buffer.from([0x49, 0, 0]))).toThrow(RangeError);
  });
});
