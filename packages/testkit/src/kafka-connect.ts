import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectRestClient } from './connect-rest-client.ts';
import type { ConnectRestClient } from './connect-rest-client.ts';
import { DEBEZIUM_POSTGRES_CONNECTOR } from './debezium-postgres-config.ts';
import { TestkitError } from './errors.ts';
import { freePort } from './free-port.ts';
import { javaCommand, jvmArgs, writeLog4j2Config, writeProperties } from './jvm.ts';
import type { TestkitLogger } from './logger.ts';
import { ManagedProcess } from './managed-process.ts';
import { resolveClasspath } from './maven.ts';

export interface StartKafkaConnectOptions {
  /** The Kafka it stores its config, offsets and status in (`127.0.0.1:<port>`). */
  bootstrap: string;
  /** Config directory; a temporary one, removed at stop, by default. */
  dir?: string;
  /** Where `kafka-connect-<port>.log` goes; `dir` by default. */
  logDir?: string;
  /** The worker's JsonConverter `schemas.enable` for keys and values (connectors may override); false by default. */
  schemasEnable?: boolean;
  /** -Xmx; 768m by default. */
  heap?: string;
  logger?: TestkitLogger;
}

export interface KafkaConnectHandle extends ConnectRestClient {
  /** `http://127.0.0.1:<port>`, Connect's REST API. */
  readonly url: string;
  readonly pid: number | undefined;
  readonly groupId: string;
  readonly logFile: string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Kafka Connect in distributed mode (one worker, its own group and internal topics) with Debezium's
 * PostgreSQL connector on its classpath. Ready when its REST API lists that connector plugin.
 */
export async function startKafkaConnect(options: StartKafkaConnectOptions): Promise<KafkaConnectHandle> {
  const java = javaCommand();
  const classpath = await resolveClasspath('connect', options.logger ? { logger: options.logger } : {});
  const temporary = options.dir === undefined;
  const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), 'spine-connect-')));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const id = randomUUID().slice(0, 8);
  const groupId = `spine-connect-${id}`;
  const schemas = options.schemasEnable ?? false;
  const config = join(dir, 'connect-distributed.properties');
  writeProperties(config, {
    'bootstrap.servers': options.bootstrap,
    'group.id': groupId,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': schemas,
    'value.converter.schemas.enable': schemas,
    'offset.storage.topic': `${groupId}-offsets`,
    'offset.storage.partitions': 1,
    'offset.storage.replication.factor': 1,
    'config.storage.topic': `${groupId}-configs`,
    'config.storage.replication.factor': 1,
    'status.storage.topic': `${groupId}-status`,
    'status.storage.partitions': 1,
    'status.storage.replication.factor': 1,
    'offset.flush.interval.ms': 1_000,
    // Connectors that create their topics (Debezium with topic.creation.*) may; the rest rely on auto-create.
    'topic.creation.enable': true,
    listeners: `http://127.0.0.1:${port}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': port,
    // Debezium is on the classpath, not under a plugin.path: scan the classpath only, skip service loading.
    'plugin.discovery': 'only_scan',
  });
  const log4j2 = writeLog4j2Config(dir);
  const url = `http://127.0.0.1:${port}`;
  const client = connectRestClient(url);
  const proc = new ManagedProcess({
    name: `kafka-connect-${port}`,
    command: java,
    args: [
      ...jvmArgs(options.heap ?? '768m', log4j2),
      '-cp',
      classpath,
      'org.apache.kafka.connect.cli.ConnectDistributed',
      config,
    ],
    logDir: options.logDir ?? dir,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    await proc.waitUntil(
      'listing the Debezium PostgreSQL connector plugin',
      async () => {
        const plugins = await client.listPlugins();
        if (plugins.some((p) => p.class === DEBEZIUM_POSTGRES_CONNECTOR)) return true;
        throw new TestkitError(
          'TESTKIT_MISSING_DEPENDENCY',
          'kafka-connect',
          `Connect runs but lacks ${DEBEZIUM_POSTGRES_CONNECTOR}; it lists ${plugins.map((p) => p.class).join(', ')}`,
        );
      },
      180_000,
    );
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }

  const stop = async () => {
    await proc.stop(20_000);
    if (temporary) rmSync(dir, { recursive: true, force: true });
  };
  return {
    ...client,
    url,
    pid: proc.pid,
    groupId,
    logFile: proc.logFile,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
