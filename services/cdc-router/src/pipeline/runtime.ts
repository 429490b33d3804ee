import type { Bus, Subscription } from '@data-spine/bus';
import type { Logger } from '@data-spine/service-kit';
import type { Capture } from '../capture/index.ts';
import type { DecisionCache } from '../governance/decision-cache.ts';
import type { RouterMetrics } from '../metrics.ts';
import type { SourceSpec } from '../routes-file/routes-model.ts';
import type { ChangeRouter } from './change-router.ts';
import type { Delivery } from './delivery.ts';
import { runEmbeddedConsumer } from './embedded-consumer.ts';
import type { EmbeddedConsumer } from './embedded-consumer.ts';
import { startKafkaConsumer } from './kafka-consumer.ts';

export type CaptureFactory = (source: SourceSpec) => { capture: Capture; slot: string };

export interface RuntimeOptions {
  mode: 'kafka' | 'embedded';
  router: ChangeRouter;
  delivery: Delivery;
  decisions: DecisionCache;
  metrics: RouterMetrics;
  log: Logger;
  policyPollMs: number;
  batchSize: number;
  batchWaitMs: number;
  bus?: Bus;
  groupId: string;
  /** Partitions of a table topic the router creates because it does not exist yet. */
  topicPartitions: number;
  captureFor?: CaptureFactory;
  /** The sinks' TTL sweep: runs while the pipeline does. */
  expiry?: { start(): void; stop(): Promise<void> };
}

/** Starts and stops the consumers and the policy-version watch. */
export class CdcRuntime {
  readonly #o: RuntimeOptions;
  #subscription: Subscription | null = null;
  #embedded: EmbeddedConsumer[] = [];
  #poll: NodeJS.Timeout | null = null;
  #running = false;
  /** Why a consumer stopped for good (an error it cannot retry); null while every consumer runs. */
  #stopped: string | null = null;

  constructor(options: RuntimeOptions) {
    this.#o = options;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Readiness: throws once a consumer has stopped on an error it cannot retry (data no longer moves). */
  check(): void {
    if (this.#stopped !== null) throw new Error(this.#stopped);
  }

  #fail(what: string, err: unknown): void {
    if (!this.#running) return;
    this.#stopped ??= `${what} stopped: ${(err as Error)?.message ?? String(err)}`;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const o = this.#o;
    const poll = () =>
      o.decisions
        .refreshPolicy()
        .catch((err: unknown) => o.log.warn({ err: (err as Error).message }, 'policy version unknown'));
    await poll();
    this.#poll = setInterval(() => void poll(), o.policyPollMs);
    this.#poll.unref();
    if (o.mode === 'kafka') {
      if (!o.bus) throw new Error('kafka mode needs a bus (SPINE_KAFKA_BROKERS)');
      // A table topic appears with its first record; the group would wait for it, so create it (no-op if
      // Debezium already did) and join at once.
      for (const topic of o.router.topics()) {
        const bus = o.bus;
        await bus.createTopic(topic, o.topicPartitions).catch((err: unknown) => {
          // Created concurrently (by Debezium): the subscription finds it either way.
          o.log.debug({ topic, err: (err as Error).message }, 'topic not created');
        });
      }
      this.#subscription = await startKafkaConsumer({
        bus: o.bus,
        groupId: o.groupId,
        topics: o.router.topics(),
        maxBatchSize: o.batchSize,
        maxWaitMs: o.batchWaitMs,
        delivery: o.delivery,
        log: o.log,
      });
      this.#subscription.done.catch((err: unknown) => this.#fail('the Kafka consumer', err));
    } else {
      if (!o.captureFor) throw new Error('embedded mode needs the capture module');
      for (const source of o.router.routes.sources) {
        const { capture, slot } = o.captureFor(source);
        const consumer = runEmbeddedConsumer(
          capture,
          o.delivery,
          o.metrics,
          slot,
          o.log.child({ source: source.id }),
        );
        consumer.done.catch((err: unknown) => {
          o.log.fatal({ err, source: source.id }, 'capture stopped');
          this.#fail(`the capture of source ${source.id}`, err);
        });
        this.#embedded.push(consumer);
      }
    }
    o.expiry?.start();
    o.log.info({ mode: o.mode }, 'cdc pipeline started');
  }

  /** Graceful: the batch in flight finishes and is committed/acknowledged; nothing new is read. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#poll) clearInterval(this.#poll);
    await this.#o.expiry?.stop();
    await this.#subscription?.close();
    this.#subscription = null;
    await Promise.all(this.#embedded.map((c) => c.close()));
    this.#embedded = [];
  }
}
