import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@data-spine/service-kit';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

const RegistryEnv = z.object({
  ...baseConfigShape('SPINE_REGISTRY_PORT', 8081),
  SPINE_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
  SPINE_ADMIN_KEY_FILE: z.string().optional(),
  SPINE_REGISTRY_DEFAULT_COMPATIBILITY: z.enum(COMPATIBILITY_LEVELS).default('BACKWARD'),
  SPINE_REGISTRY_MAX_SCHEMA_BYTES: z.coerce.number().int().positive().default(1_048_576),
});
export type RegistryConfig = Readonly<z.infer<typeof RegistryEnv>>;

export function loadRegistryConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RegistryConfig {
  return loadConfig('schema-registry', RegistryEnv, env);
}
