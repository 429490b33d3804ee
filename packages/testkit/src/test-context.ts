import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { recordPidsIn } from './managed-process.ts';
import { readStackManifest } from './stack.ts';
import type { StackManifest } from './stack.ts';

export interface TestContext {
  /** Short unique id: use it in names so parallel tests never share a database, topic or group. */
  readonly id: string;
  /** A fresh database in the shared cluster, dropped at dispose. */
  readonly databaseUrl: string;
  readonly database: string;
  readonly topicPrefix: string;
  readonly groupId: string;
  readonly stack: StackManifest;
  /** Kafka's bootstrap address; throws if the run has no Kafka. */
  kafkaBootstrap(): string;
  connectUrl(): string;
  /** Runs SQL in this test's database. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  [Symbol.asyncDispose](): Promise<void>;
}

function adminQuery(stack: StackManifest, text: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: stack.postgres.url });
  return client
    .connect()
    .then(() => client.query(text))
    .finally(() => client.end());
}

/** Gives a test its own database, topic prefix and consumer group in the shared stack. */
export async function useTestContext(label: string): Promise<TestContext> {
  const stack = readStackManifest();
  recordPidsIn(stack.pidFile);
  const id = randomUUID().replaceAll('-', '').slice(0, 10);
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  const database = `t_${safe}_${id}`;
  await adminQuery(stack, `create database "${database}"`);
  const url = new URL(stack.postgres.url);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  return {
    id,
    database,
    databaseUrl,
    topicPrefix: `t${id}`,
    groupId: `g-${safe}-${id}`,
    stack,
    kafkaBootstrap() {
      if (!stack.kafka) throw new Error('this test needs Kafka, and the test stack was started without it (SPINE_TEST_STACK)');
      return stack.kafka.bootstrap;
    },
    connectUrl() {
      if (!stack.connect) throw new Error('this test needs Kafka Connect, and the test stack was started without it');
      return stack.connect.url;
    },
    sql: (text, params) => pool.query(text, params),
    async [Symbol.asyncDispose]() {
      await pool.end();
      // Replication slots (a Debezium connector's, or a router's) pin the database; release them first.
      await adminQuery(
        stack,
        `select pg_terminate_backend(active_pid) from pg_replication_slots where database = '${database}' and active_pid is not null`,
      );
      await adminQuery(stack, `select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '${database}'`);
      await adminQuery(stack, `drop database if exists "${database}" with (force)`);
    },
  };
}
