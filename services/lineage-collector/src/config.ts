import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@data-spine/service-kit';

/** Regions whose data counts as EEA-resident data at rest (the EU's AWS-style region names). */
export const DEFAULT_EEA_REGIONS = 'eu-west-1,eu-west-3,eu-central-1,eu-north-1,eu-south-1,eu-south-2';

const LineageEnv = z.object({
  ...baseConfigShape('SPINE_LINEAGE_PORT', 5000),
  SPINE_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
  SPINE_ADMIN_KEY_FILE: z.string().optional(),
  /** Bodies over this (compressed or not) are refused with 413. */
  SPINE_LINEAGE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  /** Events accepted but not yet committed; beyond it ingest answers 503 with Retry-After. */
  SPINE_LINEAGE_MAX_PENDING_EVENTS: z.coerce.number().int().positive().default(20_000),
  /** Events written per transaction by the group-commit writer. */
  SPINE_LINEAGE_FLUSH_EVENTS: z.coerce.number().int().positive().default(1_000),
  SPINE_LINEAGE_DB_POOL: z.coerce.number().int().positive().default(6),
  /** Reads queued for a database connection beyond which reads answer 503 with Retry-After. */
  SPINE_LINEAGE_DB_MAX_WAITING: z.coerce.number().int().positive().default(64),
  /** Default and ceiling for `maxNodes` on graph queries. */
  SPINE_LINEAGE_MAX_NODES: z.coerce.number().int().positive().default(5_000),
  SPINE_LINEAGE_EEA_REGIONS: z
    .string()
    .default(DEFAULT_EEA_REGIONS)
    .transform((s) =>
      s
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  /** Optional: field tags of Kafka datasets (and mapped Postgres tables) are read from their contracts there. */
  SPINE_REGISTRY_URL: z.url().optional(),
  /** `key:secret`, sent to the registry as HTTP Basic (a registry with SPINE_READS_REQUIRE_AUTH=true needs it). */
  SPINE_REGISTRY_KEY: z
    .string()
    .regex(/^[^:\s]+:\S+$/, 'key:secret (an API key and its secret, no spaces)')
    .optional(),
  /**
   * `<database>=<topicPrefix>,...`: a Postgres dataset `<database>.<schema>.<table>` takes its field tags
   * from the subject `<topicPrefix>.<schema>.<table>-value` (the topic its CDC feed writes). Without an
   * entry for its database, a Postgres dataset is not looked up.
   */
  SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES: z
    .string()
    .optional()
    .transform((text, c) => topicPrefixes(text ?? '', c)),
});

/** Settings that only mean something together. */
const CheckedLineageEnv = LineageEnv.superRefine((env, c) => {
  if (env.SPINE_REGISTRY_URL) return;
  for (const name of ['SPINE_REGISTRY_KEY', 'SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES'] as const) {
    const v = env[name];
    if (v !== undefined && (typeof v === 'string' || Object.keys(v).length > 0)) {
      c.addIssue({
        code: 'custom',
        path: [name],
        message: 'needs SPINE_REGISTRY_URL (the registry to ask)',
      });
    }
  }
});
export type LineageConfig = Readonly<z.infer<typeof CheckedLineageEnv>>;

const DATABASE = /^[^\s=,.]+$/;
/** As the cdc-router's routes file allows a topic prefix. */
const TOPIC_PREFIX = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function topicPrefixes(text: string, c: z.core.$RefinementCtx<string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const database = entry.slice(0, eq).trim();
    const prefix = entry.slice(eq + 1).trim();
    if (eq <= 0 || !DATABASE.test(database) || !TOPIC_PREFIX.test(prefix)) {
      c.addIssue({
        code: 'custom',
        message: `'${entry}' is not <database>=<topicPrefix> (a database name without dots, a topic prefix of letters, digits, '_', '.', '-')`,
      });
    } else if (Object.hasOwn(out, database)) {
      c.addIssue({ code: 'custom', message: `database '${database}' is mapped twice` });
    } else {
      out[database] = prefix;
    }
  }
  return out;
}

export function loadLineageConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LineageConfig {
  return loadConfig('lineage-collector', CheckedLineageEnv, env);
}
