import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort } from './free-port.ts';
import { jvmArgs, writeLog4j2Config, writeProperties } from './jvm.ts';
import { ComponentStartError, ManagedProcess } from './managed-process.ts';
import { resolveClasspath } from './maven.ts';

export const DEBEZIUM_POSTGRES_CONNECTOR = 'io.debezium.connector.postgresql.PostgresConnector';

export interface StartConnectOptions {
  bootstrap: string;
  dir?: string;
  logDir?: string;
  heap?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: { state: string; trace?: string };
  tasks: Array<{ id: number; state: string; trace?: string }>;
}

/** Kafka Connect's REST API, for whoever knows its URL (the process that started it, or a test worker). */
export interface ConnectRestClient {
  createConnector(name: string, config: Readonly<Record<string, string>>): Promise<void>;
  /** Resolves when the connector and all its tasks are RUNNING; throws with the trace on FAILED. */
  waitForConnectorRunning(name: string, timeoutMs?: number): Promise<ConnectorStatus>;
  connectorStatus(name: string): Promise<ConnectorStatus | null>;
  deleteConnector(name: string): Promise<void>;
}

export interface KafkaConnectHandle extends ConnectRestClient {
  /** `http://127.0.0.1:<port>`, Connect's REST API. */
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function rest(url: string, init?: RequestInit): Promise<Response> {
  return fetch(url, { ...init, headers: { 'content-type': 'application/json', accept: 'application/json', ...init?.headers }, signal: AbortSignal.timeout(30_000) });
}

/** Kafka Connect in distributed mode with Debezium's PostgreSQL connector on its classpath. */
export async function startKafkaConnect(options: StartConnectOptions): Promise<KafkaConnectHandle> {
  const classpath = await resolveClasspath();
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'spine-connect-'));
  const port = await freePort();
  const id = randomUUID().slice(0, 8);
  const config = join(dir, 'connect-distributed.properties');
  writeProperties(config, {
    'bootstrap.servers': options.bootstrap,
    'group.id': `spine-connect-${id}`,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': false,
    'value.converter.schemas.enable': false,
    'offset.storage.topic': `spine-connect-${id}-offsets`,
    'offset.storage.partitions': 1,
    'offset.storage.replication.factor': 1,
    'config.storage.topic': `spine-connect-${id}-configs`,
    'config.storage.replication.factor': 1,
    'status.storage.topic': `spine-connect-${id}-status`,
    'status.storage.partitions': 1,
    'status.storage.replication.factor': 1,
    'offset.flush.interval.ms': 1_000,
    listeners: `http://127.0.0.1:${port}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': port,
    // Debezium is on the classpath, not under a plugin.path: scan the classpath only.
    'plugin.discovery': 'only_scan',
  });
  const log4j2 = writeLog4j2Config(dir);
  const url = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: `kafka-connect-${port}`,
    command: 'java',
    args: [...jvmArgs(options.heap ?? '768m', log4j2), '-cp', classpath, 'org.apache.kafka.connect.cli.ConnectDistributed', config],
    logDir: options.logDir ?? dir,
  });
  await proc.waitUntil(
    'listing the Debezium PostgreSQL connector plugin',
    async () => {
      const res = await rest(`${url}/connector-plugins`);
      if (!res.ok) return false;
      const plugins = (await res.json()) as Array<{ class: string }>;
      if (!plugins.some((p) => p.class === DEBEZIUM_POSTGRES_CONNECTOR)) {
        throw new Error(`Connect runs but lacks ${DEBEZIUM_POSTGRES_CONNECTOR}; plugins: ${plugins.map((p) => p.class).join(', ')}`);
      }
      return true;
    },
    180_000,
  );

  const stop = async () => {
    await proc.stop(20_000);
    if (temporary) rmSync(dir, { recursive: true, force: true });
  };
  return {
    url,
    pid: proc.pid,
    ...connectRestClient(url),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

export function connectRestClient(url: string): ConnectRestClient {
  const connectorStatus = async (name: string): Promise<ConnectorStatus | null> => {
    const res = await rest(`${url}/connectors/${encodeURIComponent(name)}/status`);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET status of ${name}: ${res.status} ${await res.text()}`);
    return (await res.json()) as ConnectorStatus;
  };
  return {
    async createConnector(name, connectorConfig) {
      // PUT /config is idempotent: it creates or updates.
      const res = await rest(`${url}/connectors/${encodeURIComponent(name)}/config`, {
        method: 'PUT',
        body: JSON.stringify(connectorConfig),
      });
      if (!res.ok) throw new ComponentStartError('kafka-connect', `creating ${name}: ${res.status} ${await res.text()}`);
    },
    connectorStatus,
    async waitForConnectorRunning(name, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const status = await connectorStatus(name);
        const failed = status && [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
        if (failed) throw new ComponentStartError('kafka-connect', `connector ${name} FAILED:\n${failed.trace ?? '(no trace)'}`);
        if (status && status.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((t) => t.state === 'RUNNING')) {
          return status;
        }
        if (Date.now() > end) throw new ComponentStartError('kafka-connect', `connector ${name} not RUNNING after ${timeoutMs} ms: ${JSON.stringify(status)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async deleteConnector(name) {
      const res = await rest(`${url}/connectors/${encodeURIComponent(name)}`, { method: 'DELETE' });
      if (!res.ok && res.status !== 404) throw new Error(`DELETE ${name}: ${res.status} ${await res.text()}`);
    },
  };
}

export interface DebeziumPostgresOptions {
  /** A URL of the database to capture, e.g. from `PostgresHandle.urlFor(db)`. */
  databaseUrl: string;
  topicPrefix: string;
  tables: readonly string[];
  slotName: string;
  publicationName?: string;
  /** JsonConverter's `{schema, payload}` wrapper on keys and values. */
  schemas?: boolean;
  decimalHandling?: 'precise' | 'string' | 'double';
  snapshotMode?: string;
  heartbeatIntervalMs?: number;
  transactionMetadata?: boolean;
  extra?: Readonly<Record<string, string>>;
}

/** Debezium PostgreSQL connector configuration for pgoutput with a filtered publication of our own. */
export function debeziumPostgresConfig(o: DebeziumPostgresOptions): Record<string, string> {
  const u = new URL(o.databaseUrl);
  const schemas = String(o.schemas ?? false);
  return {
    'connector.class': DEBEZIUM_POSTGRES_CONNECTOR,
    'tasks.max': '1',
    'database.hostname': u.hostname,
    'database.port': u.port || '5432',
    'database.user': decodeURIComponent(u.username),
    'database.password': decodeURIComponent(u.password),
    'database.dbname': decodeURIComponent(u.pathname.slice(1)),
    'topic.prefix': o.topicPrefix,
    'plugin.name': 'pgoutput',
    'slot.name': o.slotName,
    'publication.name': o.publicationName ?? `${o.slotName}_pub`,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': o.tables.join(','),
    'snapshot.mode': o.snapshotMode ?? 'initial',
    'decimal.handling.mode': o.decimalHandling ?? 'string',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': schemas,
    'value.converter.schemas.enable': schemas,
    'provide.transaction.metadata': String(o.transactionMetadata ?? false),
    ...(o.heartbeatIntervalMs ? { 'heartbeat.interval.ms': String(o.heartbeatIntervalMs) } : {}),
    ...o.extra,
  };
}
