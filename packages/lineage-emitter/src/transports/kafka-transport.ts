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

  constructor(options: KafkaTransportOptions) {
    if (!options.topic)
      throw new LineageEmitterError('LIN_EMITTER_INVALID_OPTIONS', 'kafka transport needs a topic');
    this.topic = options.topic;
    this.#messageKey = options.messageKey;
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

  async send(delivery: Delivery): Promise<void> {
    const key = this.#messageKey ?? kafkaMessageKey(delivery.event);
    try {
      await this.#producer.send([{ topic: this.topic, key, value: delivery.body }]);
    } catch (err) {
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
    if (this.#owned) await this.#producer.close?.();
  }
}

function describe(err: unknown): string {
  try {
    return `${String(err)} ${JSON.stringify(err)}`;
  } catch {
    return String(err);
  }
}
