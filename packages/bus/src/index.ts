export type {
  Bus,
  BusRecord,
  OutgoingRecord,
  RecordBatch,
  BatchHandler,
  SubscribeOptions,
  Subscription,
} from './bus.ts';
export { BATCH_DEFAULTS } from './bus.ts';
export { InProcessBus } from './in-process-bus.ts';
export { KafkaBus } from './kafka-bus.ts';
export type { KafkaBusEventType, KafkaBusOptions } from './kafka-bus.ts';
export { partitionFor } from './partitioner.ts';
export { isRetriable, backoffMs, handleWithRetry } from './retry.ts';
