import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@data-spine/service-kit';

/** The sample matrix shipped in the repository: what `spine up residency-gate` serves unless told otherwise. */
export const SAMPLE_MATRIX = fileURLToPath(
  new URL('../../../schema/data-residency-matrix.yaml', import.meta.url),
);

const bool = (d: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(d)
    .transform((v) => v === 'true');
const int = (d: number) => z.coerce.number().int().positive().default(d);

const GateEnv = z.object({
  ...baseConfigShape('SPINE_GATE_PORT', 8181),
  SPINE_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
  /** The service's own login for its sessions (append-only); SPINE_DATABASE_URL then only migrates. */
  SPINE_GATE_AUDIT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional(),
  SPINE_ADMIN_KEY_FILE: z.string().optional(),
  SPINE_GATE_MATRIX_FILE: z.string().default(SAMPLE_MATRIX),
  SPINE_GATE_WATCH_MATRIX: bool('true'),
  SPINE_GATE_REQUIRE_SIGNED_POLICY: bool('false'),
  SPINE_GATE_POLICY_KEYS_FILE: z.string().optional(),
  SPINE_GATE_AUDIT_KEY_FILE: z.string().optional(),
  SPINE_GATE_CHECKPOINT_EVERY: int(1_000),
  SPINE_GATE_CHECKPOINT_INTERVAL_MS: int(10_000),
  /** Where audit records are chained, hashed and written: a thread of their own, or the main thread. */
  SPINE_GATE_AUDIT_WRITER: z.enum(['thread', 'inline']).default('thread'),
  SPINE_GATE_BATCH_BODY_LIMIT_BYTES: int(32 * 1024 * 1024),
  SPINE_REGISTRY_URL: z.url().default('http://127.0.0.1:8081'),
  SPINE_GATE_CONTRACT_TTL_MS: int(30_000),
  SPINE_GATE_CONTRACT_CACHE_SIZE: int(1_000),
  SPINE_GATE_REGISTRY_TIMEOUT_MS: int(2_000),
});
export type GateConfig = Readonly<z.infer<typeof GateEnv>>;

export function loadGateConfig(env: Readonly<Record<string, string | undefined>> = process.env): GateConfig {
  return loadConfig('residency-gate', GateEnv, env);
}
