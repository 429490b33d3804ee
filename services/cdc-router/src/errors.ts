import { defineError } from '@data-spine/service-kit';

/**
 * The router's codes. Reason codes of dead letters (why a record did not reach a sink) are the same
 * codes, so an operator filters `spine dlq list --reason CDC_DENIED` by what the API and logs say.
 */
export const RoutesInvalid = defineError('CDC_ROUTES_INVALID', 'the routes file is invalid: %s', 400, {
  retriable: false,
});
export const ConfigInvalid = defineError('CDC_CONFIG_INVALID', '%s', 400, { retriable: false });
export const RegistryUnavailable = defineError('CDC_REGISTRY_UNAVAILABLE', 'schema registry: %s', 503);
export const GateUnavailable = defineError('CDC_GATE_UNAVAILABLE', 'residency gate: %s', 503);
export const SinkUnavailable = defineError('CDC_SINK_UNAVAILABLE', 'sink %s: %s', 503);
export const DeadLetterUnavailable = defineError(
  'CDC_DLQ_UNAVAILABLE',
  'the dead-letter store cannot be written: %s',
  503,
);
export const DeadLetterNotFound = defineError('CDC_DLQ_NOT_FOUND', 'no dead letter %s', 404);
export const ReplayInvalid = defineError('CDC_REPLAY_INVALID', '%s', 400);
export const ReplayConflict = defineError('CDC_REPLAY_CONFLICT', '%s', 409);

/** Why a record went to the dead letters instead of a sink. */
export const REASONS = {
  CDC_PARSE_ERROR: 'the record is not a valid Debezium change event',
  CDC_NO_CONTRACT: 'no contract is registered for the topic (subject <topic>-value)',
  CDC_CONTRACT_INVALID: 'the registered contract cannot be read',
  CDC_FIELD_NOT_IN_CONTRACT: 'the row carries a column the contract does not declare',
  CDC_DENIED: 'the residency gate denied the route',
  CDC_FIELD_DENIED: 'the residency gate denied a field of the row',
  CDC_FIELD_UNDECIDED: 'the gate decision names no verdict for a field of the row',
  CDC_NO_PRIMARY_KEY: 'the change carries no key to upsert by',
  CDC_SINK_REJECTED: 'the sink refused the row (a value its column cannot hold)',
  CDC_OBLIGATION_UNSUPPORTED: 'the decision carries an obligation this route or its sink cannot fulfil',
} as const;
export type ReasonCode = keyof typeof REASONS;
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];
