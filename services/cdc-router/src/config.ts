import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@data-spine/service-kit';

const PgUrl = z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL');
/** `{"analytics-eu": "postgres://..."}`: connections by source or sink id, overriding the routes file. */
const UrlMap = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a JSON object of id -> URL' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.string().min(1)));

/** The routes shipped in the repository (the demo's): what `spine up` runs unless told otherwise. */
export const DEMO_ROUTES = fileURLToPath(new URL('../../../streaming/cdc/data-spine.yaml', import.meta.url));

const RouterEnv = z.object({
  ...baseConfigShape('SPINE_ROUTER_PORT', 8282),
  /** The router's own state (dead letters, replays, sink bookkeeping lives in each sink). */
  SPINE_DATABASE_URL: PgUrl,
  SPINE_ROUTES_FILE: z.string().default(DEMO_ROUTES),
  /** `kafka` consumes Debezium topics; `embedded` reads pgoutput through the capture module. */
  SPINE_ROUTER_MODE: z.enum(['kafka', 'embedded']).default('embedded'),
  SPINE_KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    ),
  SPINE_ROUTER_GROUP_ID: z.string().default('spine-cdc-router'),
  SPINE_ROUTER_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(1),
  SPINE_REGISTRY_URL: z.url().default('http://127.0.0.1:8081'),
  SPINE_GATE_URL: z.url().default('http://127.0.0.1:8181'),
  SPINE_LINEAGE_URL: z.url().optional(),
  SPINE_ADMIN_KEY_FILE: z.string().optional(),
  /** The key of the keyed hash obligation (HMAC-SHA256); a file holding it, or the key itself. */
  SPINE_ROUTER_HASH_KEY_FILE: z.string().optional(),
  SPINE_ROUTER_HASH_KEY: z.string().min(16, 'at least 16 characters').optional(),
  SPINE_ROUTER_SINK_URLS: UrlMap.optional(),
  SPINE_ROUTER_SOURCE_URLS: UrlMap.optional(),
  /** A Postgres cluster URL; a sink or source that names only `database` lives there. */
  SPINE_ROUTER_POSTGRES_URL: PgUrl.optional(),
  SPINE_ROUTER_BATCH_SIZE: z.coerce.number().int().positive().default(2000),
  SPINE_ROUTER_BATCH_WAIT_MS: z.coerce.number().int().nonnegative().default(20),
  SPINE_ROUTER_CONTRACT_TTL_MS: z.coerce.number().int().positive().default(30_000),
  SPINE_ROUTER_POLICY_POLL_MS: z.coerce.number().int().positive().default(5_000),
  SPINE_ROUTER_LINEAGE_WINDOW_MS: z.coerce.number().int().positive().default(10_000),
  SPINE_ROUTER_DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** How often each Postgres sink with a `ttl` deletes the rows that outlived it. */
  SPINE_ROUTER_TTL_SWEEP_MS: z.coerce.number().int().positive().default(60_000),
});
export type RouterConfig = Readonly<z.infer<typeof RouterEnv>>;

export function loadRouterConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RouterConfig {
  return loadConfig('cdc-router', RouterEnv, env);
}
