import { readFileSync } from 'node:fs';
import { TestkitError } from './errors.ts';

/** What test workers read to find the shared stack: the JSON file named by SPINE_TEST_STACK. */
export interface StackManifest {
  version: 1;
  startedAt: string;
  /** The run's directory: manifest, pid file, `logs/`. */
  dir: string;
  logDir: string;
  /** Every process started during the run (by the global setup or by workers) is recorded here. */
  pidFile: string;
  postgres: { url: string; port: number; pid: number | undefined; logFile: string };
  kafka: { bootstrap: string; port: number; pid: number | undefined; logFile: string } | null;
  connect: { url: string; pid: number | undefined; groupId: string; logFile: string } | null;
}

export const STACK_ENV = 'SPINE_TEST_STACK';

const NO_STACK =
  'this test needs the shared test stack and none was started: run it through the root vitest config ' +
  '(pnpm test); the globalSetup starts the stack and sets SPINE_TEST_STACK to its manifest';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseManifest(file: string, value: unknown): StackManifest {
  const ok =
    isRecord(value) &&
    value.version === 1 &&
    typeof value.pidFile === 'string' &&
    isRecord(value.postgres) &&
    typeof value.postgres.url === 'string' &&
    (value.kafka === null || (isRecord(value.kafka) && typeof value.kafka.bootstrap === 'string')) &&
    (value.connect === null || (isRecord(value.connect) && typeof value.connect.url === 'string'));
  if (!ok)
    throw new TestkitError(
      'TESTKIT_NO_STACK',
      'stack',
      `${file} is not a stack manifest of this testkit version`,
    );
  return value as unknown as StackManifest;
}

/** The manifest named by SPINE_TEST_STACK (or `file`); a clear error when the run started no stack. */
export function readStackManifest(file: string | undefined = process.env[STACK_ENV]): StackManifest {
  if (!file || !file.endsWith('.json')) {
    const mode = file ? ` (SPINE_TEST_STACK=${file})` : '';
    throw new TestkitError('TESTKIT_NO_STACK', 'stack', `${NO_STACK}${mode}`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TestkitError('TESTKIT_NO_STACK', 'stack', `${NO_STACK}; ${file} is unreadable`, { cause: err });
  }
  return parseManifest(file, JSON.parse(text));
}
