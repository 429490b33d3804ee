import type { Logger } from '@data-spine/service-kit';
import { Overloaded, StoreUnavailable, withRetryAfter } from '../errors.ts';
import type { LineageGraph } from '../graph/lineage-graph.ts';
import type { LineageMetrics } from '../metrics/lineage-metrics.ts';
import { EventsAlreadyStored } from '../storage/lineage-store.ts';
import type { LineageStore } from '../storage/lineage-store.ts';
import { planBatch } from './batch-plan.ts';
import type { BatchPlan } from './batch-plan.ts';
import type { LineageEvent } from './lineage-event.ts';

interface Submission {
  events: LineageEvent[];
  resolve: (stored: Set<string>) => void;
  reject: (err: unknown) => void;
}

export interface IngestQueueOptions {
  maxPending: number;
  flushEvents: number;
  log: Logger;
  metrics: LineageMetrics;
  /** Called after each committed batch with the plan applied (tag refresh, registry lookups). */
  onApplied?: (plan: BatchPlan) => void;
}

/**
 * The single writer. Requests submit validated events and wait; the queue writes whatever is pending in
 * one transaction (group commit), so concurrent single-event posts share commits. A bound on pending
 * events gives backpressure: past it, submissions fail at once with 503 and Retry-After.
 */
export class IngestQueue {
  readonly #store: LineageStore;
  readonly #graph: LineageGraph;
  readonly #opts: IngestQueueOptions;
  #queue: Submission[] = [];
  #pending = 0;
  #draining: Promise<void> | null = null;

  constructor(store: LineageStore, graph: LineageGraph, opts: IngestQueueOptions) {
    this.#store = store;
    this.#graph = graph;
    this.#opts = opts;
  }

  get pending(): number {
    return this.#pending;
  }

  /** Resolves, once committed, with the hashes of the events that were new (the rest were duplicates). */
  submit(events: LineageEvent[]): Promise<Set<string>> {
    if (this.#pending + events.length > this.#opts.maxPending && this.#pending > 0) {
      const err = withRetryAfter(new Overloaded(`${this.#pending} events pending`), 1);
      this.#opts.metrics.events.inc({ result: 'overloaded' }, events.length);
      return Promise.reject(err);
    }
    this.#pending += events.length;
    this.#opts.metrics.pending.set(this.#pending);
    const done = new Promise<Set<string>>((resolve, reject) => {
      this.#queue.push({ events, resolve, reject });
    });
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
    return done;
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    // Let the requests arriving in this tick join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.#queue.length > 0) {
      const batch: Submission[] = [];
      let count = 0;
      while (
        this.#queue.length > 0 &&
        (batch.length === 0 || count + this.#queue[0]!.events.length <= this.#opts.flushEvents)
      ) {
        const s = this.#queue.shift()!;
        batch.push(s);
        count += s.events.length;
      }
      try {
        const stored = await this.#write(batch.flatMap((s) => s.events));
        for (const s of batch) s.resolve(stored);
      } catch (err) {
        this.#opts.log.error({ err }, 'ingest batch failed; nothing of it was stored');
        this.#opts.metrics.events.inc({ result: 'failed' }, count);
        const refusal = new StoreUnavailable(err instanceof Error ? err.message : String(err), {
          cause: err,
        });
        (refusal as unknown as { retryAfterSeconds: number }).retryAfterSeconds = 2;
        for (const s of batch) s.reject(refusal);
      } finally {
        this.#pending -= count;
        this.#opts.metrics.pending.set(this.#pending);
      }
    }
  }

  async #write(events: LineageEvent[]): Promise<Set<string>> {
    const started = performance.now();
    const unique = new Map<string, LineageEvent>();
    for (const e of events) if (!unique.has(e.hash)) unique.set(e.hash, e);
    const list = [...unique.values()];
    // Plan as if every event were new (the usual case: one round trip); if the store says some were
    // stored already, plan again without them.
    let fresh = list;
    let stored = new Set<string>();
    for (let attempt = 0; fresh.length > 0; attempt++) {
      const plan = planBatch(this.#graph, fresh);
      let known: Set<string>;
      try {
        known = await this.#store.applyBatch(fresh, plan);
      } catch (err) {
        if (err instanceof EventsAlreadyStored && attempt < 3) continue;
        throw err;
      }
      if (known.size > 0 && attempt < 3) {
        fresh = fresh.filter((e) => !known.has(e.hash));
        continue;
      }
      if (known.size > 0) throw new Error('the store keeps reporting stored events');
      this.#apply(plan);
      stored = new Set(fresh.map((e) => e.hash));
      break;
    }
    const m = this.#opts.metrics;
    m.events.inc({ result: 'stored' }, stored.size);
    m.events.inc({ result: 'duplicate' }, events.length - stored.size);
    m.flushEvents.observe(events.length);
    m.flushSeconds.observe((performance.now() - started) / 1000);
    return stored;
  }

  #apply(plan: BatchPlan): void {
    const g = this.#graph;
    for (const ns of plan.namespaces.values()) g.applyNamespace(ns);
    for (const d of plan.datasets.values()) g.applyDataset(d);
    for (const j of plan.jobs.values()) g.applyJob(j, plan.intervals.get(j.key));
    for (const c of plan.columnLineageHistory) g.applyColumnLineage(c.key, c.state);
    for (const [key, d] of plan.decisions) g.decisions.set(key, d.decision);
    this.#opts.metrics.graphNodes.set({ type: 'dataset' }, g.datasets.size);
    this.#opts.metrics.graphNodes.set({ type: 'job' }, g.jobs.size);
    this.#opts.onApplied?.(plan);
  }
}
