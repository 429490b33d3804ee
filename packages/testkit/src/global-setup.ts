import { join } from 'node:path';
import { startStack } from './stack.ts';

/**
 * vitest global setup: starts the shared test stack once per run, before any worker, and stops it after.
 * SPINE_TEST_STACK=none starts nothing (unit tests only); =postgres starts only Postgres.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const mode = process.env.SPINE_TEST_STACK ?? 'all';
  if (mode === 'none') return async () => {};
  const full = mode !== 'postgres';
  const t0 = performance.now();
  const stack = await startStack({ kafka: full, connect: full, dir: join(process.cwd(), '.test-artifacts', 'stack') });
  process.env.SPINE_TEST_STACK = stack.manifestFile;
  process.stderr.write(
    `[testkit] stack up in ${Math.round(performance.now() - t0)} ms: postgres :${stack.postgres.port}` +
      (stack.kafka ? `, kafka ${stack.kafka.bootstrap}` : '') +
      (stack.connect ? `, connect ${stack.connect.url}` : '') +
      '\n',
  );
  return () => stack.stop();
}
