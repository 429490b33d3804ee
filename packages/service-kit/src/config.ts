import { z } from 'zod';

export class ConfigError extends Error {
  readonly code = 'SPINE_CONFIG';
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Parses the environment with one zod object schema whose keys are the variable names. Every problem is
 * reported in one error; the result is deeply frozen. This is the only place that reads `process.env`.
 */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<z.output<S>> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const result = schema.safeParse(picked);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return deepFreeze(result.data);
}

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Variables every service takes; a service extends this with its own (`SPINE_REGISTRY_PORT`, ...). */
export function baseConfigShape<P extends string>(portVariable: P, defaultPort: number) {
  const port = { [portVariable]: z.coerce.number().int().min(0).max(65535).default(defaultPort) } as {
    [K in P]: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
  };
  return {
    ...port,
    SPINE_HOST: z.string().default('127.0.0.1'),
    SPINE_LOG_LEVEL: LogLevel.default('info'),
    SPINE_DATA_DIR: z.string().default('.spine'),
    SPINE_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
    SPINE_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    SPINE_READS_REQUIRE_AUTH: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  } as const;
}
