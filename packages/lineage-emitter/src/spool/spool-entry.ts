import { createHash } from 'node:crypto';
import { isDatasetEvent, isRunEvent, TERMINAL_EVENT_TYPES } from '../events/event-types.ts';
import type { LineageEvent } from '../events/event-types.ts';
import { kafkaMessageKey } from '../transports/kafka-message-key.ts';

/** S: a run's START, T: its terminal event, R: other run events, J: job event, D: dataset event. */
export type EntryKind = 'S' | 'T' | 'R' | 'J' | 'D';

/** An event in the spool. Only this metadata stays in memory; the body is read back from its file. */
export interface SpoolEntry {
  readonly seq: number;
  /** Events of one lane are delivered one at a time in order: a run, a job or a dataset. */
  readonly lane: string;
  readonly kind: EntryKind;
  readonly bytes: number;
  readonly file: string;
}

const NAME = /^(\d{16})-([0-9a-f]{16})-(\d+)-([STRJD])\.json$/;

export function entryFileName(seq: number, lane: string, bytes: number, kind: EntryKind): string {
  return `${String(seq).padStart(16, '0')}-${lane}-${bytes}-${kind}.json`;
}

export function parseEntryFileName(file: string): SpoolEntry | undefined {
  const m = NAME.exec(file);
  if (!m) return undefined;
  return { seq: Number(m[1]), lane: m[2] as string, bytes: Number(m[3]), kind: m[4] as EntryKind, file };
}

/**
 * What is delivered in order. `run` (default): the events of one run; runs go in parallel. `root-job`: the
 * events of every run under one root job (the Kafka key), so a parent's and its children's events keep the
 * order they were emitted in, at the cost of one event in flight per root job. Job and dataset events are
 * ordered per job or dataset either way.
 */
export type Ordering = 'run' | 'root-job';

export function orderingKey(event: LineageEvent, ordering: Ordering = 'run'): string {
  if (isDatasetEvent(event)) return `dataset:${event.dataset.namespace}/${event.dataset.name}`;
  if (isRunEvent(event)) return ordering === 'run' ? `run:${event.run.runId}` : kafkaMessageKey(event);
  return `job:${event.job.namespace}/${event.job.name}`;
}

export function laneOf(event: LineageEvent, ordering: Ordering = 'run'): string {
  return createHash('sha256').update(orderingKey(event, ordering)).digest('hex').slice(0, 16);
}

export function kindOf(event: LineageEvent): EntryKind {
  if (isDatasetEvent(event)) return 'D';
  if (!isRunEvent(event)) return 'J';
  if (event.eventType === 'START') return 'S';
  if (event.eventType && TERMINAL_EVENT_TYPES.includes(event.eventType)) return 'T';
  return 'R';
}
