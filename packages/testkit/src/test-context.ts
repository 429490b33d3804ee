import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connectRestClient } from './connect-rest-client.ts';
import type { ConnectRestClient } from './connect-rest-client.ts';
import { dropDatabaseWithSlots, quoteIdent } from './drop-database.ts';
import { TestkitError } from './errors.ts';
import { recordPidsIn } from './process-registry.ts';
import { readStackManifest } from './stack-manifest.ts';
import type { StackManifest } from './stack-manifest.ts';

export interface TestContext {
  /** Short unique id (lowercase hex): use it in names so parallel tests never share anything. */
  readonly id: string;
  /** A fresh database in the shared cluster, dropped at dispose. */
  readonly database: string;
  readonly databaseUrl: string;
  /** Unique Kafka topic prefix (also a valid Debezium `topic.prefix` and slot-name part). */
  readonly topicPrefix: string;
  /** Unique Kafka consumer group id. */
  readonly groupId: string;
  readonly stack: StackManifest;
  /** Kafka's bootstrap address; throws if the run has no Kafka. */
  kafkaBootstrap(): string;
  /** Kafka Connect's REST URL; throws if the run has no Connect. */
  connectUrl(): string;
  /** A Connect client whose connectors are deleted at dispose (before the database and its slots go). */
  connect(): ConnectRestClient;
  /** Runs SQL in this test's database. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Runs SQL as the stack's superuser in its `postgres` database (outages: `alter database ... allow_connections`). */
  adminSql<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Deletes the connectors made through `connect()`, closes the pool, drops the database and its slots. */
  [Symbol.asyncDispose](): Promise<void>;
}

async function asAdmin<T>(stack: StackManifest, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: stack.postgres.url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Gives one test file its own database, topic prefix and consumer group in the shared stack started by the
 * vitest globalSetup. Use with `await using ctx = await useTestContext('orders')`, or dispose in afterAll.
 */
export async function useTestContext(label: string): Promise<TestContext> {
  const stack = readStackManifest();
  // Processes this worker starts are recorded too, so the global teardown sees any that outlive the run.
  recordPidsIn(stack.pidFile);
  const id = randomUUID().replaceAll('-', '').slice(0, 10);
  const safe =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 30) || 'test';
  const database = `t_${safe}_${id}`;
  await asAdmin(stack, (c) => c.query(`create database ${quoteIdent(database)}`));
  const url = new URL(stack.postgres.url);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // The database is dropped with (force) at the end, which ends idle sessions: not an uncaught error.
  pool.on('error', () => {});
  const connectors = new Set<string>();
  let connectClient: ConnectRestClient | undefined;

  const connectUrl = () => {
    if (!stack.connect)
      throw new TestkitError(
        'TESTKIT_NO_STACK',
        'stack',
        'this test needs Kafka Connect and the run started none (SPINE_TEST_STACK=all starts it)',
      );
    return stack.connect.url;
  };
  return {
    id,
    database,
    databaseUrl,
    topicPrefix: `t${id}`,
    groupId: `g-${safe}-${id}`,
    stack,
    kafkaBootstrap() {
      if (!stack.kafka)
        throw new TestkitError(
          'TESTKIT_NO_STACK',
          'stack',
          'this test needs Kafka and the run started none (SPINE_TEST_STACK=all or kafka starts it)',
        );
      return stack.kafka.bootstrap;
    },
    connectUrl,
    connect() {
      if (!connectClient) {
        const client = connectRestClient(connectUrl());
        connectClient = {
          ...client,
          async createConnector(name, config) {
            connectors.add(name);
            await client.createConnector(name, config);
          },
        };
      }
      return connectClient;
    },
    sql: (text, params) => pool.query(text, params),
    adminSql: (text, params) => asAdmin(stack, (c) => c.query(text, params)),
    async [Symbol.asyncDispose]() {
      const errors: unknown[] = [];
      if (stack.connect) {
        const client = connectRestClient(stack.connect.url);
        for (const name of connectors)
          await client.deleteConnector(name).catch((err: unknown) => errors.push(err));
      }
      await pool.end().catch((err: unknown) => errors.push(err));
      await asAdmin(stack, (c) => dropDatabaseWithSlots(c, database)).catch((err: unknown) =>
        errors.push(err),
      );
      if (errors.length > 0) throw new AggregateError(errors, `cleaning up test context ${database} failed`);
    },
  };
}
