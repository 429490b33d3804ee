import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEBEZIUM_POSTGRES_CONNECTOR,
  debeziumPostgresConfig,
  livePids,
  startKafka,
  startKafkaConnect,
  startPostgres,
  TestkitError,
} from '../src/index.ts';
import type { KafkaConnectHandle, KafkaHandle, PostgresHandle } from '../src/index.ts';
import { consume, produce } from './kafka-messages.ts';

/**
 * One broker and one Connect worker for the whole file: JVMs are slow to start on small machines. The broker
 * restart runs last, so the other tests never see it.
 */
describe('Kafka broker and Kafka Connect with Debezium', () => {
  let postgres: PostgresHandle;
  let kafka: KafkaHandle;
  let connect: KafkaConnectHandle;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    timings[name] = Math.round(performance.now() - t0);
    return result;
  };

  beforeAll(async () => {
    [postgres, kafka] = await Promise.all([
      timed('postgres', () => startPostgres()),
      timed('kafka', () => startKafka()),
    ]);
    connect = await timed('connect', () => startKafkaConnect({ bootstrap: kafka.bootstrap }));
    process.stderr.write(`[testkit] start times (ms): ${JSON.stringify(timings)}\n`);
  });

  afterAll(async () => {
    await connect?.stop();
    await kafka?.stop();
    await postgres?.stop();
    expect(livePids()).toEqual([]);
  });

  it('runs a broker that carries a produce/consume round trip', async () => {
    expect(kafka.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    await produce(kafka.bootstrap, 'roundtrip', [
      { key: 'k1', value: 'hello' },
      { key: 'k2', value: 'world' },
    ]);
    const seen = await consume(kafka.bootstrap, 'roundtrip', 'roundtrip-1', 2);
    expect(seen.map((m) => [m.key, m.value])).toEqual([
      ['k1', 'hello'],
      ['k2', 'world'],
    ]);
  });

  it('runs Connect with the Debezium PostgreSQL connector plugin', async () => {
    const plugins = await connect.listPlugins();
    expect(plugins.map((p) => p.class)).toContain(DEBEZIUM_POSTGRES_CONNECTOR);
    const debezium = plugins.find((p) => p.class === DEBEZIUM_POSTGRES_CONNECTOR);
    expect(debezium?.version).toMatch(/^3\.\d+\.\d+\.Final$/);
  });

  it('streams inserted rows as Debezium create events, two connectors sharing a topic prefix', async () => {
    const dbUrl = await postgres.createDatabase('shop');
    await postgres.query(
      'create table public.customer (id int primary key, name text, annual_revenue numeric(12,2))',
      [],
      'shop',
    );
    await postgres.query('create table public.ticket (id int primary key, subject text)', [], 'shop');
    const config = (table: string) =>
      debeziumPostgresConfig({
        databaseUrl: dbUrl,
        topicPrefix: 'cdc',
        tables: [`public.${table}`],
        slotName: `testkit_${table}`,
      });
    const t0 = performance.now();
    await connect.createConnector('shop-customer', config('customer'));
    await connect.createConnector('shop-ticket', config('ticket'));
    const statuses = await Promise.all(
      ['shop-customer', 'shop-ticket'].map((n) => connect.waitForConnectorRunning(n, 90_000)),
    );
    expect(statuses.flatMap((s) => s.tasks.map((t) => t.state))).toEqual(['RUNNING', 'RUNNING']);

    await postgres.query(`insert into public.customer values (1, 'Ada Lovelace', 1234.50)`, [], 'shop');
    await postgres.query(`insert into public.ticket values (7, 'Login fails')`, [], 'shop');
    const [customer] = await consume(kafka.bootstrap, 'cdc.public.customer', 'cdc-1', 1, 90_000);
    const [ticket] = await consume(kafka.bootstrap, 'cdc.public.ticket', 'cdc-2', 1, 90_000);
    // Well under Debezium's one-minute retry when two connectors' metrics beans collide.
    expect(performance.now() - t0).toBeLessThan(30_000);
    const event = JSON.parse(customer!.value) as {
      op: string;
      before: unknown;
      after: unknown;
      source: Record<string, unknown>;
    };
    expect(JSON.parse(customer!.key)).toEqual({ id: 1 });
    expect(event.op).toBe('c');
    expect(event.before).toBeNull();
    expect(event.after).toEqual({ id: 1, name: 'Ada Lovelace', annual_revenue: '1234.50' });
    expect(event.source).toMatchObject({
      connector: 'postgresql',
      db: 'shop',
      schema: 'public',
      table: 'customer',
    });
    expect(JSON.parse(ticket!.value)).toMatchObject({ op: 'c', after: { id: 7, subject: 'Login fails' } });

    for (const name of ['shop-customer', 'shop-ticket']) {
      await connect.deleteConnector(name);
      expect(await connect.connectorStatus(name)).toBeNull();
    }
    await postgres.dropDatabase('shop');
  });

  it('reports a rejected config and a connector that fails at runtime, with the reason', async () => {
    const rejected = connect.createConnector(
      'no-such-db',
      debeziumPostgresConfig({
        databaseUrl: postgres.urlFor('absent'),
        topicPrefix: 'bad',
        tables: ['public.x'],
        slotName: 'testkit_bad',
      }),
    );
    const rejection = await rejected.catch((err: unknown) => err);
    expect(rejection).toBeInstanceOf(TestkitError);
    expect((rejection as TestkitError).code).toBe('TESTKIT_CONNECTOR_FAILED');
    expect((rejection as TestkitError).message).toContain('database "absent" does not exist');

    await postgres.createDatabase('nopub');
    const name = 'no-publication';
    await connect.createConnector(
      name,
      debeziumPostgresConfig({
        databaseUrl: postgres.urlFor('nopub'),
        topicPrefix: 'nopub',
        tables: ['public.x'],
        slotName: 'testkit_nopub',
        extra: { 'publication.autocreate.mode': 'disabled' },
      }),
    );
    const failed = await connect.waitForConnectorRunning(name, 60_000).catch((err: unknown) => err);
    expect((failed as TestkitError).code).toBe('TESTKIT_CONNECTOR_FAILED');
    expect((failed as TestkitError).message).toMatch(/FAILED:\n.*[Pp]ublication/s);
    await connect.deleteConnector(name);
    await postgres.dropDatabase('nopub');
  });

  it('restarts the broker on the same address with its data', async () => {
    const before = kafka.pid;
    const t0 = performance.now();
    await kafka.restart();
    process.stderr.write(`[testkit] kafka restart: ${Math.round(performance.now() - t0)} ms\n`);
    expect(kafka.pid).not.toBe(before);
    const seen = await consume(kafka.bootstrap, 'roundtrip', 'roundtrip-after-restart', 2);
    expect(seen.map((m) => m.value)).toEqual(['hello', 'world']);
  });
});
