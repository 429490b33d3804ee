import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '@data-spine/bus';
import type { BusRecord } from '@data-spine/bus';
import { parseChangeKey, parseChangeRecord, TOAST_PLACEHOLDER } from '@data-spine/contracts';
import type { ChangeRecord } from '@data-spine/contracts';
import { connectRestClient, debeziumPostgresConfig, useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';

/**
 * The smoke test of the foundation: rows inserted, updated (including a primary-key change), deleted and
 * truncated in a real Postgres travel through Debezium's PostgreSQL connector in Kafka Connect to Kafka, are
 * consumed through packages/bus and parsed by packages/contracts, and arrive exactly as written.
 *
 * With SPINE_CAPTURE_FIXTURES=1 it also saves the raw records as the fixtures packages/contracts tests
 * parse (events real Debezium produced, never written by hand).
 */
const FIXTURES = join(import.meta.dirname, '../../contracts/test/fixtures/debezium');
const capture = process.env.SPINE_CAPTURE_FIXTURES === '1';

const ids = {
  ada: '00000000-0000-4000-8000-000000000001',
  grace: '00000000-0000-4000-8000-000000000002',
  graceNew: '00000000-0000-4000-8000-000000000003',
};

interface Seen {
  record: BusRecord;
  parsed: ChangeRecord;
}

async function collect(
  bus: KafkaBus,
  ctx: TestContext,
  topics: string[],
  until: (seen: Seen[]) => boolean,
): Promise<Seen[]> {
  const seen: Seen[] = [];
  const sub = await bus.subscribe(
    { groupId: `${ctx.groupId}-${topics.join('+')}`, topics, maxWaitMs: 100 },
    async (batch) => {
      for (const record of batch.records) {
        const parsed = parseChangeRecord(record.value, record.headers);
        if (!parsed.ok) throw Object.assign(new Error(JSON.stringify(parsed.issues)), { retriable: false });
        seen.push({ record, parsed: parsed.value });
      }
    },
  );
  const end = Date.now() + 90_000;
  let failure: unknown;
  sub.done.catch((err: unknown) => (failure = err));
  while (!until(seen)) {
    if (failure) throw failure as Error;
    if (Date.now() > end) throw new Error(`timed out; saw ${seen.length} records`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await sub.close();
  return seen;
}

type Parsed =
  (ChangeRecord & { kind: 'change' } & { record: BusRecord }) | { kind: 'tombstone'; record: BusRecord };
const changes = (seen: Seen[]): Parsed[] =>
  seen.map((s): Parsed =>
    s.parsed.kind === 'change' ? { ...s.parsed, record: s.record } : { kind: 'tombstone', record: s.record },
  );

const rowId = (row: unknown): string => {
  const id = (row as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : '';
};

function save(name: string, seen: Seen[]): void {
  if (!capture) return;
  mkdirSync(FIXTURES, { recursive: true });
  const records = seen.map((s) => ({
    topic: s.record.topic,
    key: s.record.key?.toString() ?? null,
    value: s.record.value?.toString() ?? null,
    headers: Object.fromEntries([...s.record.headers].map(([k, v]) => [k, v.toString()])),
  }));
  writeFileSync(join(FIXTURES, `${name}.json`), JSON.stringify(records, null, 2) + '\n');
}

describe('Postgres -> Debezium -> Kafka -> bus -> contracts', () => {
  let ctx: TestContext;
  let bus: KafkaBus;
  let connect: string;
  const connectors: string[] = [];

  beforeAll(async () => {
    ctx = await useTestContext('smoke');
    connect = ctx.connectUrl();
    bus = new KafkaBus({ clientId: `smoke-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
    await ctx.sql(`create table public.customer (
      id uuid primary key, name text, email text, status text, created_at timestamptz,
      annual_revenue numeric(14,2), industry text)`);
    await ctx.sql('alter table public.customer replica identity full');
    await ctx.sql('create table public.support_ticket (id bigint primary key, subject text, body text)');
  });

  afterAll(async () => {
    for (const name of connectors)
      await connectRestClient(connect)
        .deleteConnector(name)
        .catch(() => {});
    await bus?.close();
    await ctx?.[Symbol.asyncDispose]();
  });

  /** Starts a connector with a topic prefix of its own (connectors sharing one would share offsets); returns it. */
  async function startConnector(name: string, tables: string[], schemas: boolean): Promise<string> {
    const client = connectRestClient(connect);
    const connectorName = `${ctx.topicPrefix}-${name}`;
    connectors.push(connectorName);
    await client.createConnector(
      connectorName,
      debeziumPostgresConfig({
        databaseUrl: ctx.databaseUrl,
        topicPrefix: `${ctx.topicPrefix}_${name}`,
        tables,
        slotName: `${ctx.topicPrefix}_${name}`,
        schemas,
        extra: {
          'skipped.operations': 'none',
          'topic.creation.default.replication.factor': '1',
          'topic.creation.default.partitions': '1',
        },
      }),
    );
    await client.waitForConnectorRunning(connectorName);
    return `${ctx.topicPrefix}_${name}`;
  }

  it('carries inserts, updates, a primary-key change, deletes and a truncate exactly (JsonConverter with schemas)', async () => {
    await ctx.sql(
      `insert into public.customer values
        ($1, 'Ada Lovelace', 'ada@example.com', 'active', '2024-01-02T03:04:05Z', 1234567.89, 'Computing'),
        ($2, 'Grace Hopper', 'grace@example.com', 'trial', '2024-02-03T04:05:06Z', 42.00, 'Navy')`,
      [ids.ada, ids.grace],
    );
    // The snapshot reads those two; everything after streams from the WAL. A connector is RUNNING before
    // its snapshot is done, so wait for the snapshot's records before changing anything (under load a
    // change could otherwise land before the snapshot reads the table).
    const prefix = await startConnector('customer', ['public.customer'], true);
    const topic = `${prefix}.public.customer`;
    const snapshot = await collect(
      bus,
      ctx,
      [topic],
      (s) => s.filter((x) => x.parsed.kind === 'change' && x.parsed.event.op === 'r').length >= 2,
    );
    await ctx.sql(`update public.customer set status = 'churned' where id = $1`, [ids.ada]);
    await ctx.sql(`update public.customer set id = $2 where id = $1`, [ids.grace, ids.graceNew]);
    await ctx.sql(`delete from public.customer where id = $1`, [ids.ada]);
    await ctx.sql(
      `insert into public.customer (id, name) values ('00000000-0000-4000-8000-000000000009', 'Temp')`,
    );
    await ctx.sql('truncate public.customer');

    // The same consumer group: it resumes after the snapshot's records.
    const seen = [
      ...snapshot,
      ...(await collect(bus, ctx, [topic], (s) =>
        s.some((x) => x.parsed.kind === 'change' && x.parsed.event.op === 't'),
      )),
    ];
    save('customer-with-schemas', seen);
    const evs = changes(seen);
    const summary = evs.map((e) =>
      e.kind === 'tombstone'
        ? 'tombstone'
        : `${e.event.op}:${rowId(e.event.op === 'd' ? e.event.before : 'after' in e.event ? e.event.after : null)}`,
    );
    expect(summary).toEqual([
      `r:${ids.ada}`,
      `r:${ids.grace}`,
      `u:${ids.ada}`,
      `d:${ids.grace}`,
      'tombstone',
      `c:${ids.graceNew}`,
      `d:${ids.ada}`,
      'tombstone',
      'c:00000000-0000-4000-8000-000000000009',
      't:',
    ]);

    const [snapAda, , update, pkDelete, , pkCreate, del] = evs;
    if (snapAda?.kind !== 'change' || snapAda.event.op !== 'r') throw new Error('expected a snapshot read');
    expect(snapAda.event.after).toEqual({
      id: ids.ada,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      status: 'active',
      created_at: '2024-01-02T03:04:05.000000Z',
      annual_revenue: '1234567.89',
      industry: 'Computing',
    });
    expect(snapAda.event.source).toMatchObject({
      connector: 'postgresql',
      db: ctx.database,
      schema: 'public',
      table: 'customer',
    });
    expect(['first', 'true', 'last', 'first_in_data_collection', 'last_in_data_collection']).toContain(
      snapAda.event.source.snapshot,
    );
    expect(snapAda.schema?.name).toBe(`${prefix}.public.customer.Envelope`);

    if (update?.kind !== 'change' || update.event.op !== 'u') throw new Error('expected an update');
    expect(update.event.before).toMatchObject({ id: ids.ada, status: 'active' });
    expect(update.event.after).toMatchObject({ id: ids.ada, status: 'churned', email: 'ada@example.com' });
    expect(update.event.source.snapshot).toBe('false');
    expect(typeof update.event.source.lsn).toBe('number');
    expect(typeof update.event.source.txId).toBe('number');

    if (pkDelete?.kind !== 'change' || pkCreate?.kind !== 'change') throw new Error('expected a key change');
    expect(pkDelete.keyChange).toBe('old-key');
    expect(pkCreate.keyChange).toBe('new-key');
    expect(pkDelete.event.op === 'd' && pkDelete.event.before).toMatchObject({
      id: ids.grace,
      name: 'Grace Hopper',
    });
    expect(pkCreate.event.op === 'c' && pkCreate.event.after).toMatchObject({
      id: ids.graceNew,
      name: 'Grace Hopper',
      annual_revenue: '42.00',
    });
    const newKey = parseChangeKey(pkDelete.record.headers.get('__debezium.newkey') ?? null);
    expect(newKey.ok && newKey.value).toEqual({ id: ids.graceNew });

    if (del?.kind !== 'change' || del.event.op !== 'd') throw new Error('expected a delete');
    expect(del.event.before).toMatchObject({ id: ids.ada, status: 'churned' });
    expect(del.event.after ?? null).toBeNull();
    const key = parseChangeKey(del.record.key);
    expect(key.ok && key.value).toEqual({ id: ids.ada });
  });

  it('carries TOAST placeholders and logical decoding messages (plain JSON, no schemas)', async () => {
    const big = Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 65536).toString(36)).join('-');
    // A row for the snapshot to read: once its record arrives the snapshot is over and changes stream.
    await ctx.sql(`insert into public.support_ticket values (0, 'before the snapshot', 'x')`);
    const prefix = await startConnector('ticket', ['public.support_ticket'], false);
    const topic = `${prefix}.public.support_ticket`;
    await collect(bus, ctx, [topic], (s) => s.length >= 1);
    await ctx.sql('insert into public.support_ticket values (1, $1, $2)', ['Login fails', big]);
    // Default replica identity: the unchanged TOASTed body is not in the WAL record of this update.
    await ctx.sql(`update public.support_ticket set subject = 'Login fails on SSO' where id = 1`);
    await ctx.sql(`select pg_logical_emit_message(true, 'spine', 'hello from the smoke test')`);
    await ctx.sql('delete from public.support_ticket where id = 1');

    const seen = await collect(
      bus,
      ctx,
      [topic],
      (s) => s.filter((x) => x.parsed.kind === 'tombstone').length >= 1,
    );
    save('support-ticket-plain', seen);
    const evs = changes(seen);
    expect(evs.map((e) => (e.kind === 'tombstone' ? 'tombstone' : e.event.op))).toEqual([
      'c',
      'u',
      'd',
      'tombstone',
    ]);
    const [insert, update] = evs;
    if (
      insert?.kind !== 'change' ||
      insert.event.op !== 'c' ||
      update?.kind !== 'change' ||
      update.event.op !== 'u'
    ) {
      throw new Error('expected an insert then an update');
    }
    expect(insert.schema).toBeNull();
    expect(insert.event.after).toEqual({ id: 1, subject: 'Login fails', body: big });
    expect(update.event.before ?? null).toBeNull();
    expect(update.event.after).toEqual({ id: 1, subject: 'Login fails on SSO', body: TOAST_PLACEHOLDER });

    const messages = await collect(bus, ctx, [`${prefix}.message`], (s) => s.length >= 1);
    save('logical-message', messages);
    const [m] = changes(messages);
    if (m?.kind !== 'change' || m.event.op !== 'm') throw new Error('expected a logical decoding message');
    expect(m.event.message.prefix).toBe('spine');
    expect(Buffer.from(m.event.message.content ?? '', 'base64').toString()).toBe('hello from the smoke test');
  });
});
