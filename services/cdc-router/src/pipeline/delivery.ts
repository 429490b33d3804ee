import type { Bus } from '@data-spine/bus';
import type { Logger } from '@data-spine/service-kit';
import type { DeadLetterRecord } from '../dlq/dead-letter.ts';
import type { DeadLetterStore } from '../dlq/dead-letter-store.ts';
import { DeadLetterUnavailable } from '../errors.ts';
import type { RouterMetrics } from '../metrics.ts';
import type { Sink, SinkOp } from '../sinks/sink-op.ts';
import type { ChangeRouter, DeadLetterDraft, Plan } from './change-router.ts';
import type { SourceRecord } from './source-record.ts';
import { asText, headerText } from './source-record.ts';

export interface DeliveryOutcome {
  delivered: number;
  deadLettered: DeadLetterDraft[];
  skipped: number;
  plan: Plan;
}

export interface DeliveryOptions {
  router: ChangeRouter;
  sinks: ReadonlyMap<string, Sink>;
  deadLetters: DeadLetterStore;
  /** Kafka mode: the dead letters are also written to this topic (durably, before the offsets move). */
  deadLetterTopic?: { bus: Bus; topic: string };
  metrics: RouterMetrics;
  log: Logger;
  /** Called after a batch is durable, for lineage. */
  onDelivered?: (plan: Plan, writes: ReadonlyMap<string, SinkOp[]>, deadLettered: number) => void;
}

export function deadLetterRecord(d: DeadLetterDraft, r: SourceRecord): DeadLetterRecord {
  return {
    routeId: d.routeId,
    sourceId: d.sourceId,
    table: d.table,
    topic: r.origin.topic,
    partition: r.origin.partition,
    offset: r.origin.offset,
    key: asText(r.key),
    value: asText(r.value),
    headers: Object.fromEntries([...r.headers].map(([k, v]) => [k, headerText(v)])),
    position: d.position,
    reason: d.reason,
    decisionId: d.decisionId,
    error: d.error,
  };
}

/**
 * Takes a batch from source to sinks: plan (contracts, decisions, obligations), write every sink, write
 * the dead letters, and only then resolve, so the caller may commit the offsets or acknowledge the LSN.
 * Any failure rejects (retriable): nothing is acknowledged, the batch is tried again, nothing is skipped.
 */
export class Delivery {
  readonly #o: DeliveryOptions;

  constructor(options: DeliveryOptions) {
    this.#o = options;
  }

  #held(reason: string, on: boolean): void {
    this.#o.metrics.held.set({ reason }, on ? 1 : 0);
  }

  async handle(
    records: readonly SourceRecord[],
    options: { only?: { routeId: string | null }; dryRun?: boolean; writeDeadLetters?: boolean } = {},
  ): Promise<DeliveryOutcome> {
    const plan = await this.plan(records, options.only);
    return this.apply(records, plan, options);
  }

  /** Governs a batch (contracts, decisions, obligations) without writing: pure, so it may run ahead. */
  async plan(records: readonly SourceRecord[], only?: { routeId: string | null }): Promise<Plan> {
    try {
      const plan = await this.#o.router.plan(records, only);
      this.#held('governance', false);
      return plan;
    } catch (err) {
      this.#held('governance', true);
      throw err;
    }
  }

  /** Writes a planned batch to its sinks and dead letters; resolves when all of it is durable. */
  async apply(
    records: readonly SourceRecord[],
    plan: Plan,
    options: { dryRun?: boolean; writeDeadLetters?: boolean } = {},
  ): Promise<DeliveryOutcome> {
    const started = performance.now();
    const deadLettered = [...plan.deadLetters];
    if (options.dryRun) {
      let n = 0;
      for (const ops of plan.writes.values()) n += ops.length;
      return { delivered: n, deadLettered, skipped: plan.skipped, plan };
    }
    const planned = performance.now();
    const t0 = Date.now();
    const results = await Promise.allSettled(
      [...plan.writes].map(async ([sinkId, ops]) => {
        const sink = this.#o.sinks.get(sinkId);
        if (!sink) throw new Error(`no sink ${sinkId}`);
        const started = performance.now();
        const rejected = await sink.write(ops);
        this.#o.metrics.sinkLatency.observe({ sink: sinkId }, (performance.now() - started) / 1000);
        return { sinkId, ops, rejected };
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      this.#held('sink', true);
      throw failed.reason;
    }
    this.#held('sink', false);
    const committedAt = Date.now();
    const delivered = new Map<string, SinkOp[]>();
    for (const r of results) {
      if (r.status !== 'fulfilled') continue;
      const rejected = new Set(r.value.rejected.map((x) => x.op));
      for (const x of r.value.rejected)
        deadLettered.push({
          ref: x.op.ref,
          routeId: x.op.routeId,
          sourceId: null,
          table: x.op.table,
          position: String(x.op.position),
          reason: 'CDC_SINK_REJECTED',
          decisionId: x.op.decisionId,
          error: x.error,
        });
      delivered.set(
        r.value.sinkId,
        rejected.size === 0 ? r.value.ops : r.value.ops.filter((o) => !rejected.has(o)),
      );
    }
    if (options.writeDeadLetters !== false) await this.#writeDeadLetters(deadLettered, records);
    let count = 0;
    // Per route once per batch: the lag histogram's child (label hashing per change cost more than the
    // observation) and the delivered count.
    type RouteTally = { id: string; n: number; lag: { observe(v: number): void } };
    const perRoute = new Map<string, RouteTally>();
    let last: RouteTally | null = null;
    for (const ops of delivered.values()) {
      for (const op of ops) {
        count++;
        if (last === null || last.id !== op.routeId) {
          last = perRoute.get(op.routeId) ?? null;
          if (last === null) {
            last = { id: op.routeId, n: 0, lag: this.#o.metrics.lag.labels({ route: op.routeId }) };
            perRoute.set(op.routeId, last);
          }
        }
        last.n++;
        if (op.sourceTsMs !== null) last.lag.observe(Math.max(0, committedAt - op.sourceTsMs) / 1000);
      }
    }
    for (const [route, { n }] of perRoute) this.#o.metrics.events.inc({ route, outcome: 'delivered' }, n);
    for (const d of deadLettered)
      this.#o.metrics.events.inc({ route: d.routeId ?? 'none', outcome: 'dead_lettered' });
    if (plan.skipped > 0) this.#o.metrics.events.inc({ route: 'none', outcome: 'skipped' }, plan.skipped);
    if (deadLettered.length > 0)
      this.#o.log.warn(
        {
          deadLettered: deadLettered.length,
          reasons: [...new Set(deadLettered.map((d) => d.reason))],
          ms: committedAt - t0,
        },
        'records dead-lettered',
      );
    this.#o.log.debug(
      {
        records: records.length,
        delivered: count,
        planMs: Math.round(planned - started),
        totalMs: Math.round(performance.now() - started),
        sinkMs: committedAt - t0,
      },
      'batch durable',
    );
    this.#o.onDelivered?.(plan, delivered, deadLettered.length);
    return { delivered: count, deadLettered, skipped: plan.skipped, plan };
  }

  async #writeDeadLetters(
    drafts: readonly DeadLetterDraft[],
    records: readonly SourceRecord[],
  ): Promise<void> {
    if (drafts.length === 0) return;
    const out = drafts.map((d) => deadLetterRecord(d, records[d.ref] as SourceRecord));
    try {
      if (this.#o.deadLetterTopic) {
        const { bus, topic } = this.#o.deadLetterTopic;
        await bus.send(
          out.map((r) => ({
            topic,
            key: r.key,
            value: JSON.stringify({
              original: {
                topic: r.topic,
                partition: r.partition,
                offset: r.offset,
                key: r.key,
                headers: r.headers,
              },
              route: r.routeId,
              source: r.sourceId,
              table: r.table,
              source_position: r.position,
              reason: r.reason,
              decision_id: r.decisionId,
              error: r.error,
              value: r.value,
            }),
            headers: {
              'spine-reason': r.reason,
              ...(r.decisionId ? { 'spine-decision-id': r.decisionId } : {}),
            },
          })),
        );
      }
      await this.#o.deadLetters.write(out);
      this.#held('dlq', false);
    } catch (err) {
      this.#held('dlq', true);
      throw err instanceof DeadLetterUnavailable
        ? err
        : new DeadLetterUnavailable((err as Error).message, { cause: err });
    }
  }
}
