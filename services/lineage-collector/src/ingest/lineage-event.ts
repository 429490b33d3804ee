import type { EventKind } from '../validation/openlineage-validator.ts';
import { eventHash } from './canonical-json.ts';

export type Facets = Record<string, unknown>;

export interface DatasetInEvent {
  namespace: string;
  name: string;
  facets: Facets;
  ioFacets: Facets;
}

/** A validated event reduced to what the graph is derived from (the raw body is kept alongside). */
export interface LineageEvent {
  hash: string;
  kind: EventKind;
  eventType: string | null;
  /** Milliseconds since the epoch. */
  eventTime: number;
  runId: string | null;
  job: { namespace: string; name: string; facets: Facets } | null;
  runFacets: Facets;
  inputs: DatasetInEvent[];
  outputs: DatasetInEvent[];
  /** The dataset of a DatasetEvent. */
  dataset: DatasetInEvent | null;
  raw: Record<string, unknown>;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function datasets(list: unknown, ioKey: 'inputFacets' | 'outputFacets'): DatasetInEvent[] {
  if (!Array.isArray(list)) return [];
  return list.map((d: unknown) => {
    const o = obj(d);
    return {
      namespace: String(o.namespace),
      name: String(o.name),
      facets: obj(o.facets),
      ioFacets: obj(o[ioKey]),
    };
  });
}

/** Only for events the validator accepted: the fields read here are known to be present and typed. */
export function toLineageEvent(raw: Record<string, unknown>, kind: EventKind): LineageEvent {
  const job = kind === 'dataset' ? null : obj(raw.job);
  const run = obj(raw.run);
  const ds = kind === 'dataset' ? obj(raw.dataset) : null;
  return {
    hash: eventHash(raw),
    kind,
    eventType: kind === 'run' ? (typeof raw.eventType === 'string' ? raw.eventType : 'OTHER') : null,
    eventTime: Date.parse(String(raw.eventTime)),
    runId: kind === 'run' ? String(run.runId) : null,
    job: job ? { namespace: String(job.namespace), name: String(job.name), facets: obj(job.facets) } : null,
    runFacets: obj(run.facets),
    inputs: datasets(raw.inputs, 'inputFacets'),
    outputs: datasets(raw.outputs, 'outputFacets'),
    dataset: ds
      ? { namespace: String(ds.namespace), name: String(ds.name), facets: obj(ds.facets), ioFacets: {} }
      : null,
    raw,
  };
}
