import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, stopStack } from './stack.ts';
import { STACK_ENV } from './stack-manifest.ts';

const KEEP_RUNS = 5;

/** Keeps the newest run directories (their logs) and removes older ones. */
function pruneRuns(root: string): void {
  const runs = readdirSync(root)
    .filter((d) => d.startsWith('run-'))
    .sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - KEEP_RUNS)))
    rmSync(join(root, old), { recursive: true, force: true });
}

/**
 * vitest globalSetup: starts the shared test stack once per run, before any worker, and stops it after,
 * failing the run if a process outlives it. SPINE_TEST_STACK selects what starts:
 *   all (default) Postgres, Kafka, Kafka Connect with Debezium | kafka: Postgres and Kafka |
 *   postgres: Postgres only | none: nothing (unit tests) | <path>.json: reuse a running stack's manifest.
 * Logs go to .test-artifacts/stack/run-<time>-<pid>/logs (the newest five runs are kept).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const mode = process.env[STACK_ENV] ?? 'all';
  if (mode === 'none' || (mode.endsWith('.json') && existsSync(mode))) return async () => {};
  if (!['all', 'kafka', 'postgres'].includes(mode)) {
    throw new Error(
      `SPINE_TEST_STACK=${mode}: expected all, kafka, postgres, none, or the path of a stack.json`,
    );
  }
  const root = join(process.cwd(), '.test-artifacts', 'stack');
  mkdirSync(root, { recursive: true });
  pruneRuns(root);
  const dir = join(root, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  const t0 = performance.now();
  const stack = await startStack({ kafka: mode !== 'postgres', connect: mode === 'all', dir });
  process.stderr.write(
    `[testkit] stack up in ${Math.round(performance.now() - t0)} ms: postgres :${stack.postgres.port}` +
      (stack.kafka ? `, kafka ${stack.kafka.bootstrap}` : '') +
      (stack.connect ? `, connect ${stack.connect.url}` : '') +
      `; logs in ${stack.manifest.logDir}\n`,
  );
  return stopStack;
}
