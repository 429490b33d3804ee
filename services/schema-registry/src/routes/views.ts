import type { StoredSchema } from '../storage/registry-store.ts';
import type { VersionView } from '../registry/registry-service.ts';

/** Confluent omits `schemaType` for Avro and `references` when empty; clients rely on neither being there. */
function typeAndRefs(s: StoredSchema): { schemaType?: string; references?: StoredSchema['references'] } {
  return {
    ...(s.schemaType === 'AVRO' ? {} : { schemaType: s.schemaType }),
    ...(s.references.length > 0 ? { references: s.references } : {}),
  };
}

/** The contract's semantic version travels in Confluent's metadata properties, where clients keep it. */
function metadataOf(v: VersionView): { metadata?: Record<string, unknown> } {
  if (!v.metadata && !v.semver) return {};
  const base = (v.metadata ?? {}) as { properties?: Record<string, string> };
  return {
    metadata: {
      ...base,
      properties: { ...base.properties, ...(v.semver ? { 'data-spine.semver': v.semver } : {}) },
    },
  };
}

export function versionView(v: VersionView) {
  return {
    subject: v.subject,
    version: v.version,
    id: v.schemaId,
    ...typeAndRefs(v.schema),
    ...metadataOf(v),
    schema: v.schema.schema,
  };
}

export function schemaView(s: StoredSchema) {
  return { ...typeAndRefs(s), schema: s.schema };
}
