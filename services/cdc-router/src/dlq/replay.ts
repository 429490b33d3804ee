import { randomUUID } from 'node:crypto';
import type { Delivery } from '../pipeline/delivery.ts';
import type { SourceRecord } from '../pipeline/source-record.ts';
import type { RouterMetrics } from '../metrics.ts';
import type { DeadLetterFilter } from './dead-letter.ts';
import type { DeadLetterStore, StoredDeadLetter } from './dead-letter-store.ts';

export interface ReplayRequest {
  replayId?: string;
  filter: DeadLetterFilter;
  dryRun: boolean;
  ratePerSecond: number;
  /** At most this many dead letters in this call; call again with the same replay id for the rest. */
  limit: number;
}

export interface ReplayItem {
  id: string;
  outcome: 'replayed' | 'dead_lettered' | 'already_handled' | 'would_replay' | 'would_dead_letter';
  reason?: string;
  error?: string;
}

export interface ReplayResult {
  replay_id: string;
  dry_run: boolean;
  considered: number;
  replayed: number;
  dead_lettered: number;
  already_handled: number;
  /** Pending dead letters matching the filter after this call (what another call would consider). */
  remaining: number;
  items: ReplayItem[];
}

function sourceRecordOf(d: StoredDeadLetter): SourceRecord {
  return {
    origin: { topic: d.record.topic, partition: d.record.partition, offset: d.record.offset },
    key: d.record.key,
    value: d.record.value,
    headers: new Map(Object.entries(d.record.headers)),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Replays dead letters: each goes through the pipeline again (contract, a fresh decision under the current
 * policy, obligations, the sink's position guard), on the route it failed on. A replay id makes it
 * idempotent: a dead letter handled under that id is not handled again. Paced to `ratePerSecond`.
 */
export class Replayer {
  readonly #store: DeadLetterStore;
  readonly #delivery: Delivery;
  readonly #metrics: RouterMetrics;

  constructor(store: DeadLetterStore, delivery: Delivery, metrics: RouterMetrics) {
    this.#store = store;
    this.#delivery = delivery;
    this.#metrics = metrics;
  }

  async replay(req: ReplayRequest): Promise<ReplayResult> {
    const replayId = req.replayId ?? randomUUID();
    const candidates = await this.#store.list({ ...req.filter, status: 'pending', limit: req.limit });
    const handled = await this.#store.handledBy(
      replayId,
      candidates.map((c) => c.view.id),
    );
    const result: ReplayResult = {
      replay_id: replayId,
      dry_run: req.dryRun,
      considered: candidates.length,
      replayed: 0,
      dead_lettered: 0,
      already_handled: 0,
      remaining: 0,
      items: [],
    };
    const interval = 1000 / req.ratePerSecond;
    let next = performance.now();
    for (const dl of candidates) {
      if (handled.has(dl.view.id)) {
        result.already_handled++;
        result.items.push({ id: dl.view.id, outcome: 'already_handled' });
        continue;
      }
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      next = Math.max(next, performance.now()) + interval;
      const outcome = await this.#delivery.handle([sourceRecordOf(dl)], {
        only: { routeId: dl.record.routeId },
        dryRun: req.dryRun,
        writeDeadLetters: false,
      });
      const again = outcome.deadLettered[0];
      if (req.dryRun) {
        result.items.push(
          again
            ? { id: dl.view.id, outcome: 'would_dead_letter', reason: again.reason, error: again.error }
            : { id: dl.view.id, outcome: 'would_replay' },
        );
        if (again) result.dead_lettered++;
        else result.replayed++;
        continue;
      }
      if (again) {
        await this.#store.recordReplay(replayId, dl.view.id, 'dead_lettered', {
          reason: again.reason,
          error: again.error,
          decisionId: again.decisionId,
        });
        result.dead_lettered++;
        result.items.push({
          id: dl.view.id,
          outcome: 'dead_lettered',
          reason: again.reason,
          error: again.error,
        });
      } else {
        await this.#store.recordReplay(replayId, dl.view.id, 'replayed');
        this.#metrics.events.inc({ route: dl.record.routeId ?? 'none', outcome: 'replayed' });
        result.replayed++;
        result.items.push({ id: dl.view.id, outcome: 'replayed' });
      }
    }
    result.remaining = await this.#store.count({ ...req.filter, status: 'pending' });
    return result;
  }
}
