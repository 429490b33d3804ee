import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TestkitError } from './errors.ts';
import { startKafka } from './kafka.ts';
import type { KafkaHandle } from './kafka.ts';
import { startKafkaConnect } from './kafka-connect.ts';
import type { KafkaConnectHandle } from './kafka-connect.ts';
import type { TestkitLogger } from './logger.ts';
import { silent } from './logger.ts';
import { resolveClasspath } from './maven.ts';
import { livePids, recordPidsIn, survivorsIn } from './process-registry.ts';
import type { TrackedProcess } from './process-registry.ts';
import { startPostgres } from './postgres.ts';
import type { PostgresHandle } from './postgres.ts';
import { STACK_ENV } from './stack-manifest.ts';
import type { StackManifest } from './stack-manifest.ts';

export interface StackOptions {
  /** Start Kafka (implied by `connect`). */
  kafka: boolean;
  /** Start Kafka Connect with Debezium. */
  connect: boolean;
  /** The run's directory: manifest, pid file and component logs, kept as test artifacts. */
  dir: string;
  logger?: TestkitLogger;
}

export interface Stack {
  readonly manifest: StackManifest;
  readonly manifestFile: string;
  readonly postgres: PostgresHandle;
  readonly kafka: KafkaHandle | null;
  readonly connect: KafkaConnectHandle | null;
  /** Same as `stopStack()`. */
  stop(): Promise<void>;
}

/** The running stack of this process and its handles in stop order (the last started first). */
let current: { stack: Stack; handles: Array<{ stop(): Promise<void> }> } | undefined;

/**
 * Starts Postgres, and Kafka and Kafka Connect when asked, once for a whole test run (a vitest globalSetup),
 * writes `<dir>/stack.json` and sets SPINE_TEST_STACK to it, so the test workers forked afterwards find it
 * (see `useTestContext`).
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  if (current)
    throw new TestkitError(
      'TESTKIT_COMMAND_FAILED',
      'stack',
      'a stack is already running in this process; stopStack() it first',
    );
  const log = options.logger ?? silent;
  const dir = resolve(options.dir);
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const pidFile = join(dir, 'pids.txt');
  writeFileSync(pidFile, '');
  recordPidsIn(pidFile);
  const withKafka = options.kafka || options.connect;
  const common = { logDir, logger: log };

  const started: Array<{ stop(): Promise<void> }> = [];
  const track = <T extends { stop(): Promise<void> }>(handle: T): T => (started.push(handle), handle);
  try {
    const [postgres, kafka] = await Promise.all([
      startPostgres(common).then(track),
      withKafka ? startKafka(common).then(track) : null,
      // Resolved while the broker boots, so Connect starts at once after it.
      options.connect ? resolveClasspath('connect', { logger: log }) : null,
    ]);
    const connect =
      options.connect && kafka
        ? track(await startKafkaConnect({ ...common, bootstrap: kafka.bootstrap }))
        : null;
    const manifest: StackManifest = {
      version: 1,
      startedAt: new Date().toISOString(),
      dir,
      logDir,
      pidFile,
      postgres: { url: postgres.url, port: postgres.port, pid: postgres.pid, logFile: postgres.logFile },
      kafka: kafka
        ? { bootstrap: kafka.bootstrap, port: kafka.port, pid: kafka.pid, logFile: kafka.logFile }
        : null,
      connect: connect
        ? { url: connect.url, pid: connect.pid, groupId: connect.groupId, logFile: connect.logFile }
        : null,
    };
    const manifestFile = join(dir, 'stack.json');
    // It holds the superuser password: readable by us only.
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    process.env[STACK_ENV] = manifestFile;
    const stack: Stack = { manifest, manifestFile, postgres, kafka, connect, stop: stopStack };
    current = { stack, handles: started.reverse() };
    return stack;
  } catch (err) {
    for (const handle of started.reverse()) await handle.stop().catch(() => {});
    recordPidsIn(undefined);
    throw err;
  }
}

/**
 * Stops the stack (Connect, Kafka, then Postgres), then fails if any process started during the run (here
 * or in a test worker, per the pid file) is still alive; such survivors are killed before it throws.
 */
export async function stopStack(): Promise<void> {
  if (!current) return;
  const { stack, handles } = current;
  current = undefined;
  const failures: unknown[] = [];
  for (const handle of handles) await handle.stop().catch((err: unknown) => failures.push(err));
  const survivors = new Map<number, TrackedProcess>();
  for (const s of [...survivorsIn(stack.manifest.pidFile), ...livePids()]) survivors.set(s.pid, s);
  recordPidsIn(undefined);
  if (process.env[STACK_ENV] === stack.manifestFile) delete process.env[STACK_ENV];
  if (survivors.size > 0) {
    for (const { pid } of survivors.values()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    const names = [...survivors.values()].map((s) => `${s.name} (pid ${s.pid})`).join(', ');
    throw new TestkitError(
      'TESTKIT_SURVIVORS',
      'stack',
      `processes outlived the test run and were killed: ${names}`,
    );
  }
  if (failures.length > 0) throw new AggregateError(failures, 'stack: some components failed to stop');
}
