/**
 * Starts the shared test stack (Postgres, Kafka, Kafka Connect with Debezium) and keeps it running until
 * Ctrl-C, so repeated test runs can reuse it: SPINE_TEST_STACK=<printed stack.json> pnpm exec vitest run ...
 * Usage: node scripts/test-stack.ts [all|kafka|postgres] [dir]
 */
import { join } from 'node:path';
import { startStack, stopStack } from '../packages/testkit/src/index.ts';

const mode = process.argv[2] ?? 'all';
const dir = process.argv[3] ?? join(process.cwd(), '.test-artifacts', 'stack', 'shared');
const stack = await startStack({ kafka: mode !== 'postgres', connect: mode === 'all', dir });
process.stdout.write(`${stack.manifestFile}\n`);
const stop = (): void => {
  stopStack().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
