import type { LineageEvent } from '../events/event-types.ts';

/** One event on its way out: the event, its JSON exactly as spooled, and its spool id. */
export interface Delivery {
  readonly id: string;
  readonly event: LineageEvent;
  readonly body: string;
}

/**
 * Where events go. `send` makes one attempt and resolves only once the destination acknowledged the event;
 * it throws a LineageEmitterError whose `retriable` (and `retryAfterMs`) tell the emitter what to do. The
 * emitter owns retries, ordering and durability, so a transport stays a plain client.
 */
export interface Transport {
  readonly kind: string;
  send(delivery: Delivery, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
