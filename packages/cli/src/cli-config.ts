import { z } from 'zod';

/** The CLI's environment, parsed once; every problem reported together. */
const CliEnv = z.object({
  SPINE_DATA_DIR: z.string().default('.spine'),
  SPINE_PG_PORT: z.coerce.number().int().min(0).max(65535).default(54329),
  SPINE_PG_BIN: z.string().optional(),
  SPINE_HOST: z.string().default('127.0.0.1'),
  SPINE_LOG_LEVEL: z.string().default('info'),
  SPINE_READY_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
});
export type CliEnv = z.infer<typeof CliEnv>;

export function readCliEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<CliEnv> {
  const picked: Record<string, string> = {};
  for (const k of Object.keys(CliEnv.shape)) {
    const v = env[k];
    if (v !== undefined && v !== '') picked[k] = v;
  }
  const parsed = CliEnv.safeParse(picked);
  if (!parsed.success) {
    throw new UsageError(
      'invalid environment:\n' +
        parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n'),
    );
  }
  return Object.freeze(parsed.data);
}

/** Exit code 2: the command line or the environment is wrong, or something could not be reached. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
