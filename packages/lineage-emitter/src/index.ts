export { LineageEmitter } from './emitter.ts';
export type { CloseResult } from './emitter.ts';
export type { EmitterOptions, EmitterLogger } from './emitter-options.ts';
export { OpenLineage } from './events/event-builder.ts';
export type { OpenLineageOptions, RunEventInit } from './events/event-builder.ts';
export { RunContext } from './events/run-context.ts';
export type { RunEventExtras } from './events/run-context.ts';
export { uuid7 } from './events/uuid7.ts';
export {
  isRunEvent,
  isDatasetEvent,
  isJobEvent,
  eventKind,
  TERMINAL_EVENT_TYPES,
} from './events/event-types.ts';
export type * from './events/event-types.ts';
export type * from './facets/facet-types.ts';
export { FacetBuilders } from './facets/facet-builders.ts';
export { createSpecValidator } from './spec-validator.ts';
export type { SpecIssue, SpecValidator } from './spec-validator.ts';
export { SPEC_VERSION, EVENT_SCHEMA_URL, FACET_SPECS, facetSchemaUrl } from './spec-versions.ts';
export type { FacetName, FacetLevel } from './spec-versions.ts';
export { LineageEmitterError, EMITTER_ERROR_CODES, isRetriable } from './errors.ts';
export type { EmitterErrorCode } from './errors.ts';
export { METRIC_NAMES } from './metrics.ts';
export type { EmitterStats, RetryReason } from './metrics.ts';
export type { Transport, Delivery } from './transports/transport.ts';
export { HttpTransport } from './transports/http-transport.ts';
export type { HttpTransportOptions } from './transports/http-transport.ts';
export { KafkaTransport } from './transports/kafka-transport.ts';
export type { KafkaTransportOptions, KafkaProducerLike } from './transports/kafka-transport.ts';
export { kafkaMessageKey } from './transports/kafka-message-key.ts';
export { FileTransport } from './transports/file-transport.ts';
export type { FileTransportOptions } from './transports/file-transport.ts';
export { ConsoleTransport } from './transports/console-transport.ts';
export type { ConsoleTransportOptions } from './transports/console-transport.ts';
export { CompositeTransport } from './transports/composite-transport.ts';
export type { CompositeTransportOptions, ChildFailure } from './transports/composite-transport.ts';
export { transportFromConfig, TransportConfig } from './transports/transport-config.ts';
export { parseRetryAfter } from './transports/retry-after.ts';
export type { DeadLetter } from './spool/spool.ts';
export type { Ordering } from './spool/spool-entry.ts';
