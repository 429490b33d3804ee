/**
 * Every reason code a decision can carry, with what it means. README.md lists the same catalog (a test
 * keeps them equal); clients branch on the code, never on the message.
 */
export const REASON_CODES = {
  RESIDENCY_ALLOWED: 'The route is allowed by the named rule(s); nothing else applies.',
  RESIDENCY_ALLOWED_WITH_OBLIGATIONS: 'The route is allowed if the listed obligations are carried out.',
  RESIDENCY_FIELD_MASKED: 'The field must be masked before it reaches the sink.',
  RESIDENCY_FIELD_HASHED:
    'The field must be replaced by a keyed HMAC-SHA256 of it (the obligation names the key).',
  RESIDENCY_FIELD_DROPPED: 'The field must be removed before it reaches the sink.',
  RESIDENCY_DENIED_BY_RULE: 'A deny rule matches the field (deny wins over obligations and allow).',
  RESIDENCY_NO_MATCHING_RULE: 'No rule covers the field for this route: denied by default.',
  RESIDENCY_UNKNOWN_SOURCE_REGION: 'The source region is not in the matrix.',
  RESIDENCY_UNKNOWN_SINK: 'The sink id is not in the matrix.',
  RESIDENCY_UNKNOWN_SINK_REGION: 'The sink region is not in the matrix.',
  RESIDENCY_SINK_REGION_MISMATCH:
    'The sink region in the request differs from the region the matrix gives the sink.',
  RESIDENCY_UNKNOWN_PURPOSE: 'The purpose is not in the matrix.',
  RESIDENCY_UNKNOWN_CLASSIFICATION: 'The classification is not in the matrix.',
  RESIDENCY_UNKNOWN_TAG: 'A field carries a tag the matrix does not know.',
  RESIDENCY_INVALID_SINK_TTL: 'The TTL the request declares for the sink is not an ISO 8601 duration.',
  RESIDENCY_TRANSFER_MECHANISM:
    'The transfer relies on the named adequacy decision, SCC, BCR or DPF certification.',
  RESIDENCY_TRANSFER_MECHANISM_MISSING:
    'The rule requires adequacy or a transfer mechanism and none covers the route.',
  RESIDENCY_TRANSFER_MECHANISM_EXPIRED: 'The only transfer mechanisms covering the route have expired.',
  RESIDENCY_RETENTION_EXCEEDED: "The sink keeps data longer than the classification's or the tag's maximum.",
  RESIDENCY_RETENTION_CAPPED: 'An obligation caps how long the sink may keep the data.',
  RESIDENCY_CONTRACT_NOT_FOUND:
    'Fields were to come from the schema registry and the subject has no version.',
  RESIDENCY_CONTRACT_UNAVAILABLE: 'The schema registry did not answer and no fresh cached contract exists.',
  RESIDENCY_CONTRACT_UNREADABLE:
    'The registered schema could not be read for fields and tags, or declares no field.',
  RESIDENCY_SHADOW_MODE:
    'The matrix is in shadow mode: its rules are not enforced; `shadow` says what would be.',
  RESIDENCY_SHADOW_RULE: 'A shadow rule matched; `shadow` says what enforcing it would have done.',
} as const;

export type ReasonCode = keyof typeof REASON_CODES;
