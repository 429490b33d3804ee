import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { TestkitError } from './errors.ts';
import { freePorts, portOpen } from './free-port.ts';
import { javaCommand, jvmArgs, writeLog4j2Config, writeProperties } from './jvm.ts';
import type { TestkitLogger } from './logger.ts';
import { ManagedProcess } from './managed-process.ts';
import { resolveClasspath } from './maven.ts';

const run = promisify(execFile);

export interface StartKafkaOptions {
  /** Holds the config and the log dirs; kept at stop when given, a temporary directory otherwise. */
  dir?: string;
  /** Where `kafka-<port>.log` goes; `dir` by default. */
  logDir?: string;
  /** num.partitions for auto-created topics (1 by default). */
  partitions?: number;
  /** -Xmx; 512m by default. */
  heap?: string;
  logger?: TestkitLogger;
}

export interface KafkaHandle {
  /** `127.0.0.1:<port>` */
  readonly bootstrap: string;
  readonly port: number;
  /** The current broker JVM (it changes on restart). */
  readonly pid: number | undefined;
  readonly logFile: string;
  stop(): Promise<void>;
  /** Stops and starts the broker on the same ports and data: a broker restart, topics and offsets kept. */
  restart(): Promise<void>;
  /** SIGKILL, for crash tests; `restart()` brings it back. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A metadata request answered with at least one broker: the broker serves clients, not just its port. */
async function brokerAnswers(bootstrap: string): Promise<boolean> {
  const admin = new Admin({
    clientId: 'testkit-probe',
    bootstrapBrokers: [bootstrap],
    retries: 0,
    timeout: 2_000,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } finally {
    await admin.close().catch(() => {});
  }
}

/** A single-node Apache Kafka 4.x in KRaft mode (broker and controller in one JVM) on loopback. */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaHandle> {
  const java = javaCommand();
  const classpath = await resolveClasspath('broker', options.logger ? { logger: options.logger } : {});
  const temporary = options.dir === undefined;
  const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), 'spine-kafka-')));
  const logDir = options.logDir ?? dir;
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const bootstrap = `127.0.0.1:${port}`;
  const config = join(dir, 'server.properties');
  writeProperties(config, {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://${bootstrap},CONTROLLER://127.0.0.1:${controllerPort}`,
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

  if (!existsSync(join(dataDir, 'meta.properties'))) {
    // base64url may begin with '-', which kafka-storage's argument parser takes for an option.
    let clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    try {
      await run(
        java,
        [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config],
        {
          maxBuffer: 8 * 1024 * 1024,
        },
      );
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
      throw new TestkitError(
        'TESTKIT_COMMAND_FAILED',
        'kafka',
        `kafka-storage format failed: ${out || String(err)}`,
        { cause: err },
      );
    }
  }

  let proc: ManagedProcess | undefined;
  const start = async () => {
    proc = new ManagedProcess({
      name: `kafka-${port}`,
      command: java,
      args: [...jvm, '-cp', classpath, 'kafka.Kafka', config],
      logDir,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    try {
      await proc.waitUntil(
        'answering metadata requests',
        async () => (await portOpen(port)) && (await brokerAnswers(bootstrap)),
        120_000,
      );
    } catch (err) {
      await proc.stop(5_000);
      throw err;
    }
  };
  await start();
  const current = () => proc as ManagedProcess;

  const stop = async () => {
    await current().stop(20_000);
    if (temporary) rmSync(dir, { recursive: true, force: true });
  };
  return {
    bootstrap,
    port,
    get pid() {
      return current().pid;
    },
    get logFile() {
      return current().logFile;
    },
    stop,
    async restart() {
      await current().stop(20_000);
      await start();
    },
    kill: () => current().kill(),
    [Symbol.asyncDispose]: stop,
  };
}
