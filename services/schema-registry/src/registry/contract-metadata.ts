import * as E from '../errors.ts';

/**
 * Data-contract attributes travel in Confluent's `metadata.properties`, where Confluent clients already
 * keep and return them; `metadata.tags` (Confluent's map of field path -> tags) adds field tags beside the
 * inline ones.
 */
export const SEMVER_PROPERTY = 'data-spine.semver';
export const RETENTION_PROPERTY = 'data-spine.retention';
export const CLASSIFICATION_PROPERTY = 'data-spine.classification';
export const OWNER_PROPERTY = 'data-spine.owner';
export const ROLLBACK_PROPERTY = 'data-spine.rollback-of';

export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export interface ContractMetadata {
  tags?: Record<string, string[]>;
  properties?: Record<string, string>;
  sensitive?: string[];
}

/** ISO 8601 durations as retention uses them: P7Y, P90D, PT12H, P1Y6M. */
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

const MAX_PROPERTY_LENGTH = 4096;

/**
 * Checks the contract attributes a version carries and returns the metadata to store (without the semver,
 * which has a column of its own). Throws 42210 naming the property and what is allowed.
 */
export function checkContractMetadata(
  metadata: ContractMetadata | null | undefined,
): ContractMetadata | null {
  if (!metadata) return null;
  const props = { ...metadata.properties };
  const retention = props[RETENTION_PROPERTY];
  if (retention !== undefined && !ISO_DURATION.test(retention))
    throw new E.InvalidContract(
      `metadata.properties["${RETENTION_PROPERTY}"] '${retention}' is not an ISO 8601 duration (e.g. P7Y, P90D)`,
    );
  const classification = props[CLASSIFICATION_PROPERTY];
  if (classification !== undefined && !(CLASSIFICATIONS as readonly string[]).includes(classification))
    throw new E.InvalidContract(
      `metadata.properties["${CLASSIFICATION_PROPERTY}"] '${classification}' is not one of ${CLASSIFICATIONS.join(', ')}`,
    );
  for (const [k, v] of Object.entries(props))
    if (v.length > MAX_PROPERTY_LENGTH)
      throw new E.InvalidContract(
        `metadata.properties["${k}"] is longer than ${MAX_PROPERTY_LENGTH} characters`,
      );
  delete props[SEMVER_PROPERTY];
  const out: ContractMetadata = {};
  if (metadata.tags && Object.keys(metadata.tags).length > 0) out.tags = metadata.tags;
  if (Object.keys(props).length > 0) out.properties = props;
  if (metadata.sensitive && metadata.sensitive.length > 0) out.sensitive = metadata.sensitive;
  return Object.keys(out).length > 0 ? out : null;
}
