import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startKafka } from './kafka.ts';
import type { KafkaHandle } from './kafka.ts';
import { startKafkaConnect } from './kafka-connect.ts';
import type { KafkaConnectHandle } from './kafka-connect.ts';
import { recordPidsIn, survivorsIn } from './managed-process.ts';
import { startPostgres } from './postgres.ts';
import type { PostgresHandle } from './postgres.ts';

/** What test workers read to find the shared stack (the file named by SPINE_TEST_STACK). */
export interface StackManifest {
  postgres: { url: string; port: number };
  kafka: { bootstrap: string; pid: number | undefined } | null;
  connect: { url: string } | null;
  logDir: string;
  pidFile: string;
}

export interface StackOptions {
  kafka: boolean;
  connect: boolean;
  /** Where component logs and the manifest go (kept after the run as test artifacts). */
  dir: string;
}

export interface Stack {
  manifest: StackManifest;
  manifestFile: string;
  postgres: PostgresHandle;
  kafka: KafkaHandle | null;
  connect: KafkaConnectHandle | null;
  /** Stops everything, then fails if any process started during the run is still alive. */
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const dir = resolve(options.dir);
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const pidFile = join(dir, 'pids.txt');
  writeFileSync(pidFile, '');
  recordPidsIn(pidFile);

  const started: Array<{ stop: () => Promise<void> }> = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
  };
  try {
    const [postgres, kafka] = await Promise.all([
      startPostgres({ logDir }).then((p) => (started.push(p), p)),
      options.kafka || options.connect ? startKafka({ logDir }).then((k) => (started.push(k), k)) : Promise.resolve(null),
    ]);
    const connect = options.connect && kafka ? await startKafkaConnect({ bootstrap: kafka.bootstrap, logDir }) : null;
    if (connect) started.push(connect);
    const manifest: StackManifest = {
      postgres: { url: postgres.url, port: postgres.port },
      kafka: kafka ? { bootstrap: kafka.bootstrap, pid: kafka.pid } : null,
      connect: connect ? { url: connect.url } : null,
      logDir,
      pidFile,
    };
    const manifestFile = join(dir, 'stack.json');
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2), { mode: 0o600 });
    return {
      manifest,
      manifestFile,
      postgres,
      kafka,
      connect,
      async stop() {
        await stopAll();
        const survivors = survivorsIn(pidFile);
        if (survivors.length > 0) {
          throw new Error(`processes outlived the test run: ${survivors.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}`);
        }
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export function readStackManifest(file = process.env.SPINE_TEST_STACK): StackManifest {
  if (!file || file === 'none' || file === 'postgres' || file === 'all') {
    throw new Error(
      'this test needs the shared test stack, and none was started: run it through the root vitest config ' +
        '(pnpm test), whose global setup starts Postgres, Kafka and Kafka Connect; SPINE_TEST_STACK=none skips that',
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as StackManifest;
}
