import { z } from 'zod';
import { ConfigError, loadConfig } from '@data-spine/service-kit';

/** The CLI's environment, parsed once; every problem reported together. */
const CliEnv = z.object({
  SPINE_DATA_DIR: z.string().default('.spine'),
  SPINE_PG_PORT: z.coerce.number().int().min(0).max(65535).default(54329),
  SPINE_PG_BIN: z.string().optional(),
  SPINE_HOST: z.string().default('127.0.0.1'),
  SPINE_READY_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
});
export type CliEnv = z.infer<typeof CliEnv>;

export function readCliEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<CliEnv> {
  try {
    return loadConfig('spine', CliEnv, env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** Exit code 2: the command line or the environment is wrong, or something could not be reached. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
