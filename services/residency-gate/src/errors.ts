import { defineError } from '@data-spine/service-kit';

/** The gate's error codes (README lists them; a test keeps the two equal). */
export const InvalidRequest = defineError('GATE_INVALID_REQUEST', '%s', 400);
export const DuplicateField = defineError('GATE_DUPLICATE_FIELD', '%s', 400);
export const FieldsRequired = defineError('GATE_FIELDS_REQUIRED', '%s', 400);
export const BatchTooLarge = defineError('GATE_BATCH_TOO_LARGE', '%s', 413);
export const InvalidQuery = defineError('GATE_INVALID_QUERY', '%s', 400);
export const PolicyInvalid = defineError('GATE_POLICY_INVALID', '%s', 422);
export const PolicyUnsigned = defineError('GATE_POLICY_UNSIGNED', '%s', 422);
export const PolicyBadSignature = defineError('GATE_POLICY_BAD_SIGNATURE', '%s', 422);
/** Reloads of the matrix file only: the file or its `.sig` could not be read. */
export const PolicyUnreadable = defineError('GATE_POLICY_UNREADABLE', '%s', 422);
export const NoPolicy = defineError('GATE_NO_POLICY', '%s', 503);
export const AuditUnavailable = defineError('GATE_AUDIT_UNAVAILABLE', '%s', 503);

export const GATE_ERROR_CODES = [
  InvalidRequest,
  DuplicateField,
  FieldsRequired,
  BatchTooLarge,
  InvalidQuery,
  PolicyInvalid,
  PolicyUnsigned,
  PolicyBadSignature,
  PolicyUnreadable,
  NoPolicy,
  AuditUnavailable,
].map((e) => e.code);
