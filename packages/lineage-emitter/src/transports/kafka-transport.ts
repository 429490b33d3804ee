import { KafkaBus } from '@data-spine/bus';
import { LineageEmitterError } from '../errors.ts';
import { kafkaMessageKey } from './kafka-message-key.ts';
import type { Delivery, Transport } from './transport.ts';

/** What the transport needs from a producer; `@data-spine/bus`'s KafkaBus has it (acks=all, idempotent). */
export interface KafkaProducerLike {
  send(records: readonly { topic: string; key?: string | null; value: string }[]): Promise<void>;
  close?(): Promise<void>;
}

export type KafkaTransportOptions = {
  topic: string;
  /** Per attempt (default 15 s): the producer retries an unreachable broker by itself and may never settle. */
  timeoutMs?: number;
  /** A fixed key for every message instead of the Python client's keys (its `messageKey`). */
  messageKey?: string;
} & (
  | { /** A producer you own (and close). */ producer: KafkaProducerLike }
  | {
      /** Or brokers: the transport makes a KafkaBus and closes it. */ brokers: readonly string[];
      clientId?: string;
    }
);

/** Errors that another attempt cannot fix: the record or the topic is wrong, or the client is misused. */
const PERMANENT =
  /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|INVALID_TOPIC_EXCEPTION|TOPIC_AUTHORIZATION_FAILED|PLT_KFK_USER/;

/**
 * Produces each event as JSON to one topic, keyed as the Python client keys it (see kafkaMessageKey), so
 * every event of a job (and of a parent's children) lands on one partition in order. Resolves once the
 * broker acknowledged (acks=all).
 */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka';
  readonly topic: string;
  readonly #producer: KafkaProducerLike;
  readonly #owned: boolean;
  readonly #messageKey: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: KafkaTransportOptions) {
    if (!options.topic)
      throw new LineageEmitterError('LIN_EMITTER_INVALID_OPTIONS', 'kafka transport needs a topic');
    this.topic = options.topic;
    this.#messageKey = options.messageKey;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    if ('producer' in options) {
      this.#producer = options.producer;
      this.#owned = false;
    } else {
      this.#producer = new KafkaBus({
        clientId: options.clientId ?? 'lineage-emitter',
        brokers: options.brokers,
      });
      this.#owned = true;
    }
  }

  async send(delivery: Delivery, signal: AbortSignal): Promise<void> {
    const key = this.#messageKey ?? kafkaMessageKey(delivery.event);
    const sending = this.#producer.send([{ topic: this.topic, key, value: delivery.body }]);
    // Given up on (timeout, close), the send may still settle later: never as an unhandled rejection.
    sending.catch(() => {});
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    try {
      await settleOrAbort(sending, AbortSignal.any([signal, timeout]));
    } catch (err) {
      if (err instanceof GaveUp)
        throw new LineageEmitterError(
          timeout.aborted ? 'LIN_EMITTER_TIMEOUT' : 'LIN_EMITTER_KAFKA',
          `producing to ${this.topic}: no acknowledgement within ${this.#timeoutMs} ms`,
          { retriable: true },
        );
      const text = describe(err);
      throw new LineageEmitterError(
        'LIN_EMITTER_KAFKA',
        `producing to ${this.topic} failed: ${text.slice(0, 300)}`,
        {
          cause: err,
          retriable: !PERMANENT.test(text),
        },
      );
    }
  }

  async close(): Promise<void> {
    if (!this.#owned || !this.#producer.close) return;
    // A producer still retrying an unreachable broker may not close promptly: bounded.
    const closing = this.#producer.close();
    closing.catch(() => {});
    await settleOrAbort(closing, AbortSignal.timeout(5_000)).catch(() => {});
  }
}

/** We stopped waiting (timeout or close); the producer's own promise is left to settle. */
class GaveUp extends Error {}

function settleOrAbort(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new GaveUp());
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(new GaveUp());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function describe(err: unknown): string {
  try {
    return `${String(err)} ${JSON.stringify(err)}`;
  } catch {
    return String(err);
  }
}
