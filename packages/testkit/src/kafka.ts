import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { freePort, portOpen } from './free-port.ts';
import { jvmArgs, writeLog4j2Config, writeProperties } from './jvm.ts';
import { ComponentStartError, ManagedProcess } from './managed-process.ts';
import { resolveClasspath } from './maven.ts';

const run = promisify(execFile);

export interface StartKafkaOptions {
  dir?: string;
  logDir?: string;
  partitions?: number;
  heap?: string;
}

export interface KafkaHandle {
  /** `127.0.0.1:<port>` */
  readonly bootstrap: string;
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /** Stops and starts the broker on the same ports and data (a broker restart). */
  restart(): Promise<void>;
  /** SIGKILL, for crash tests; `restart()` brings it back. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function brokerAnswers(bootstrap: string): Promise<boolean> {
  const admin = new Admin({ clientId: 'testkit-probe', bootstrapBrokers: [bootstrap], retries: 0, timeout: 2_000 });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } finally {
    await admin.close().catch(() => {});
  }
}

/** A single-node Apache Kafka 4.x in KRaft mode (broker and controller in one JVM) on loopback. */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaHandle> {
  const classpath = await resolveClasspath();
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'spine-kafka-'));
  const logDir = options.logDir ?? dir;
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const bootstrap = `127.0.0.1:${port}`;
  const config = join(dir, 'server.properties');
  writeProperties(config, {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${bootstrap}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': options.partitions ?? 1,
    'auto.create.topics.enable': true,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
  });
  const log4j2 = writeLog4j2Config(dir);
  const jvm = jvmArgs(options.heap ?? '512m', log4j2);
  try {
    const clusterId = randomBytes(16).toString('base64url');
    await run('java', [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config], {
      maxBuffer: 8 * 1024 * 1024,
    });
  } catch (err) {
    throw new ComponentStartError('kafka', `storage format failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, { cause: err });
  }

  let proc: ManagedProcess;
  const start = async () => {
    proc = new ManagedProcess({ name: `kafka-${port}`, command: 'java', args: [...jvm, '-cp', classpath, 'kafka.Kafka', config], logDir });
    await proc.waitUntil('answering metadata requests', async () => (await portOpen(port)) && (await brokerAnswers(bootstrap)), 120_000);
  };
  await start();

  const stop = async () => {
    await proc.stop(20_000);
  };
  return {
    bootstrap,
    port,
    get pid() {
      return proc.pid;
    },
    async stop() {
      await stop();
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      await start();
    },
    kill: () => proc.kill(),
    async [Symbol.asyncDispose]() {
      await stop();
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}
