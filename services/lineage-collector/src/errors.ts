import { defineError } from '@data-spine/service-kit';

/** The collector's error codes; clients branch on `code`, never on the message. */
export const InvalidEvent = defineError(
  'LIN_INVALID_EVENT',
  'the event is not a valid OpenLineage event: %s',
  400,
);
export const MalformedJson = defineError('LIN_MALFORMED_JSON', 'the body is not valid JSON: %s', 400);
export const BatchNotArray = defineError(
  'LIN_BATCH_NOT_ARRAY',
  'a batch body is a JSON array of events',
  400,
);
export const BodyTooLarge = defineError('LIN_BODY_TOO_LARGE', 'the body is over the limit of %s bytes', 413);
export const UnsupportedEncoding = defineError(
  'LIN_UNSUPPORTED_ENCODING',
  'content-encoding %s is not accepted (use gzip, deflate or none)',
  415,
);
export const BadCompressedBody = defineError(
  'LIN_BAD_COMPRESSED_BODY',
  'the body could not be decompressed: %s',
  400,
);
export const Overloaded = defineError(
  'LIN_OVERLOADED',
  'the collector is at capacity (%s); retry after the Retry-After delay',
  503,
);
export const StoreUnavailable = defineError(
  'LIN_STORE_UNAVAILABLE',
  'the event store is unavailable: %s',
  503,
);
export const NamespaceNotFound = defineError('LIN_NAMESPACE_NOT_FOUND', "namespace '%s' not found", 404);
export const DatasetNotFound = defineError(
  'LIN_DATASET_NOT_FOUND',
  "dataset '%s' not found in namespace '%s'",
  404,
);
export const JobNotFound = defineError('LIN_JOB_NOT_FOUND', "job '%s' not found in namespace '%s'", 404);
export const JobVersionNotFound = defineError(
  'LIN_JOB_VERSION_NOT_FOUND',
  "version '%s' of job '%s' not found",
  404,
);
export const RunNotFound = defineError('LIN_RUN_NOT_FOUND', "run '%s' not found", 404);
export const NodeNotFound = defineError('LIN_NODE_NOT_FOUND', "node '%s' not found", 404);
export const BadNodeId = defineError(
  'LIN_BAD_NODE_ID',
  "nodeId '%s' is not dataset:<namespace>:<name>, job:<namespace>:<name> or datasetField:<namespace>:<name>:<field>",
  400,
);
export const BadQuery = defineError('LIN_BAD_QUERY', '%s', 400);

/** A 503 that tells the client when to retry (service-kit's error handler sends `retryAfterSeconds`). */
export function withRetryAfter<E extends Error>(error: E, seconds: number): E {
  (error as unknown as { retryAfterSeconds: number }).retryAfterSeconds = seconds;
  return error;
}
