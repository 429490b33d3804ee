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
  /** Optional: field tags of Kafka datasets are read from the registry's `<topic>-value` subject. */
  SPINE_REGISTRY_URL: z.url().optional(),
});
export type LineageConfig = Readonly<z.infer<typeof LineageEnv>>;

export function loadLineageConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LineageConfig {
  return loadConfig('lineage-collector', LineageEnv, env);
}
