import { defineError } from '@data-spine/service-kit';

/**
 * Confluent Schema Registry's error codes (its `rest/exceptions/Errors.java`): clients (serializers, the Java
 * and kafkajs clients) branch on `error_code`, so these are the codes, and the HTTP status is the code's first
 * three digits. Our own codes are in 42290-42299, a range Confluent does not use (it has 42201-42216).
 */
export const SubjectNotFound = defineError('40401', "Subject '%s' not found.", 404);
export const VersionNotFound = defineError('40402', 'Version %s not found.', 404);
export const SchemaNotFound = defineError('40403', 'Schema %s not found', 404);
/** A lookup under a subject that has no such schema: Confluent's message names no id. */
export const SchemaNotFoundUnderSubject = defineError('40403', 'Schema not found', 404);
export const SubjectSoftDeleted = defineError(
  '40404',
  "Subject '%s' was soft deleted.Set permanent=true to delete permanently",
  404,
);
export const SubjectNotSoftDeleted = defineError(
  '40405',
  "Subject '%s' was not deleted first before being permanently deleted",
  404,
);
export const VersionSoftDeleted = defineError(
  '40406',
  "Subject '%s' Version %s was soft deleted.Set permanent=true to delete permanently",
  404,
);
export const VersionNotSoftDeleted = defineError(
  '40407',
  "Subject '%s' Version %s was not deleted first before being permanently deleted",
  404,
);
export const SubjectCompatibilityNotConfigured = defineError(
  '40408',
  "Subject '%s' does not have subject-level compatibility configured",
  404,
);
export const SubjectModeNotConfigured = defineError(
  '40409',
  "Subject '%s' does not have subject-level mode configured",
  404,
);
/** Confluent answers HTTP 409 with `error_code` 40901 (older versions answered `error_code` 409). */
export const IncompatibleSchema = defineError(
  '40901',
  'Schema being registered is incompatible with an earlier schema for subject "%s", details: %s',
  409,
);
export const InvalidSchema = defineError('42201', 'Invalid schema: %s', 422);
export const InvalidVersion = defineError(
  '42202',
  'The specified version \'%s\' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"',
  422,
);
export const InvalidCompatibilityLevel = defineError(
  '42203',
  'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
  422,
);
export const InvalidMode = defineError(
  '42204',
  'Invalid mode. Valid values are READWRITE, READONLY, IMPORT',
  422,
);
export const OperationNotPermitted = defineError('42205', '%s', 422);
export const ReferenceExists = defineError(
  '42206',
  'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=%s,version=%s}.',
  422,
);
/** Confluent's IdDoesNotMatchException: an import brings an id for a schema stored under another one. */
export const IdDoesNotMatch = defineError(
  '42207',
  'Schema already registered with id %s instead of input id %s',
  422,
);
/** Confluent's RestInvalidSubjectException (its message, typo included). */
export const InvalidSubject = defineError('42208', "The specified subject '%s' is not a valid.", 422);
/** Confluent's SchemaTooLargeException, here from SPINE_REGISTRY_MAX_SCHEMA_BYTES. */
export const SchemaTooLarge = defineError(
  '42209',
  'Register operation failed because schema is too large: %s bytes, the limit is %s',
  422,
);

// Ours (data contracts and lint), in 42290-42299.
export const InvalidSemver = defineError('42290', '%s', 422);
export const LintFailed = defineError('42291', 'The schema breaks lint rules: %s', 422);
export const InvalidContract = defineError('42292', 'Invalid data contract: %s', 422);
export const InvalidLintConfig = defineError('42293', 'Invalid lint configuration: %s', 422);

export const StoreError = defineError('50001', 'Error in the backend data store: %s', 500);
