import type { DatasetNode, JobNode } from '../graph/graph-model.ts';
import { validAt } from '../graph/graph-model.ts';
import type { LineageGraph, ResidencyDecision } from '../graph/lineage-graph.ts';

/** A policy tag on a dataset (or one of its fields), direct or inherited from upstream. */
export interface PolicyTag {
  key: string;
  value: string;
  source: string | null;
  /** The field it applies to, or null for the whole dataset. */
  field: string | null;
  inherited: boolean;
  /** `dataset:<ns>:<name>` where the tag was set directly. */
  origin: string;
  originField: string | null;
}

/** Why an edge is a conflict: where the destination is known to be outside the EEA, or not known at all. */
export const CONFLICT_REASONS = {
  RESIDENCY_REGION_OUTSIDE_EEA: 'the destination is in a region outside the EEA',
  RESIDENCY_UNKNOWN_DESTINATION_REGION:
    'the destination has no region or residency tag: an unknown region is not assumed to be in the EEA',
} as const;
export type ConflictReasonCode = keyof typeof CONFLICT_REASONS;

export interface ResidencyConflict {
  edge: { origin: string; destination: string };
  job: { namespace: string; name: string };
  /** `region` is null when the destination's region is unknown. */
  dataset: { namespace: string; name: string; region: string | null };
  /** Datasets read by the job that carry EEA-resident data. */
  sources: Array<{ namespace: string; name: string }>;
  reason: { code: ConflictReasonCode; message: string };
  decision: ResidencyDecision | null;
}

/** Tags that describe where a dataset is, or who owns it: they stay on the dataset and do not flow. */
const LOCAL_KEYS = new Set(['region', 'owner', 'team', 'environment']);
const ALLOWING = new Set(['allow', 'allow_with_obligations']);

export const datasetNodeId = (d: { namespace: string; name: string }): string =>
  `dataset:${d.namespace}:${d.name}`;
export const jobNodeId = (j: { namespace: string; name: string }): string => `job:${j.namespace}:${j.name}`;

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Entries of a `tags` facet (`{tags: [{key, value, source?, field?}]}`). */
export function facetTags(
  facets: Record<string, unknown>,
): Array<{ key: string; value: string; source: string | null; field: string | null }> {
  const f = obj(facets.tags);
  if (!f || !Array.isArray(f.tags)) return [];
  return f.tags.flatMap((t: unknown) => {
    const o = obj(t);
    if (!o || typeof o.key !== 'string' || typeof o.value !== 'string') return [];
    return [
      {
        key: o.key,
        value: o.value,
        source: typeof o.source === 'string' ? o.source : null,
        field: typeof o.field === 'string' ? o.field : null,
      },
    ];
  });
}

const isResidency = (t: { key: string }) => t.key.toLowerCase() === 'residency';
const isEea = (t: PolicyTag) => isResidency(t) && t.value.toLowerCase() === 'eea';
/** The source of the residency tag a dataset gets from a region tag naming an EEA region. */
const REGION_TAG_SOURCE = 'REGION';

/**
 * Policy tags and residency conflicts over the current graph, recomputed when the graph changed since the
 * last read. Direct tags come from each dataset's `tags` facet, from the schema registry's field tags, and
 * `residency=EEA` from a region tag naming an EEA region (the cdc-router sends only regions); they flow
 * downstream along the edges valid now, through column lineage where the job reports it (a field tag lands
 * on the fields derived from the field) and to the whole output dataset otherwise.
 */
export class PolicyTagIndex {
  readonly #graph: LineageGraph;
  readonly #eea: ReadonlySet<string>;
  #generation = -1;
  #tags = new Map<string, PolicyTag[]>();
  #conflicts: ResidencyConflict[] = [];
  #conflictEdges = new Set<string>();

  constructor(graph: LineageGraph, eeaRegions: readonly string[]) {
    this.#graph = graph;
    this.#eea = new Set(eeaRegions.map((r) => r.toLowerCase()));
  }

  tagsOf(d: DatasetNode): PolicyTag[] {
    this.#ensure();
    return this.#tags.get(d.key) ?? [];
  }

  regionOf(d: DatasetNode): string | null {
    return (
      facetTags(d.facets).find((t) => t.key.toLowerCase() === 'region' && t.field === null)?.value ?? null
    );
  }

  conflicts(): ResidencyConflict[] {
    this.#ensure();
    return this.#conflicts;
  }

  /** Whether the output edge job -> dataset is flagged. */
  hasConflict(job: JobNode, d: DatasetNode): boolean {
    this.#ensure();
    return this.#conflictEdges.has(`${job.key}|${d.key}`);
  }

  #direct(d: DatasetNode): PolicyTag[] {
    const origin = datasetNodeId(d);
    const out: PolicyTag[] = facetTags(d.facets).map((t) => ({
      ...t,
      inherited: false,
      origin,
      originField: t.field,
    }));
    // Data stored in an EEA region is EEA-resident data, whether or not the producer said so explicitly.
    const region = this.regionOf(d);
    if (
      region !== null &&
      this.#eea.has(region.toLowerCase()) &&
      !out.some((t) => t.field === null && isEea(t))
    ) {
      out.push({
        key: 'residency',
        value: 'EEA',
        source: REGION_TAG_SOURCE,
        field: null,
        inherited: false,
        origin,
        originField: null,
      });
    }
    for (const [field, tags] of this.#graph.registryFieldTags.get(d.key) ?? []) {
      for (const tag of tags) {
        out.push({
          key: tag.toLowerCase(),
          value: 'true',
          source: 'SCHEMA_REGISTRY',
          field,
          inherited: false,
          origin,
          originField: field,
        });
      }
    }
    return out;
  }

  #ensure(): void {
    if (this.#generation === this.#graph.generation) return;
    this.#generation = this.#graph.generation;
    const tags = new Map<string, PolicyTag[]>();
    const seen = new Map<string, Set<string>>();
    const add = (d: DatasetNode, t: PolicyTag): boolean => {
      const id = `${t.key}\u0000${t.value}\u0000${t.field ?? ''}\u0000${t.origin}\u0000${t.originField ?? ''}`;
      let s = seen.get(d.key);
      if (!s) {
        s = new Set();
        seen.set(d.key, s);
      }
      if (s.has(id)) return false;
      s.add(id);
      const list = tags.get(d.key) ?? [];
      list.push(t);
      tags.set(d.key, list);
      return true;
    };
    const work: DatasetNode[] = [];
    for (const d of this.#graph.datasets.values()) {
      const direct = this.#direct(d);
      if (direct.length === 0) continue;
      for (const t of direct) add(d, t);
      work.push(d);
    }
    while (work.length > 0) {
      const d = work.pop()!;
      const flowing = (tags.get(d.key) ?? []).filter((t) => !LOCAL_KEYS.has(t.key.toLowerCase()));
      if (flowing.length === 0) continue;
      for (const consumer of d.consumers) {
        if (!validAt(consumer, null)) continue;
        for (const out of consumer.job.edges.values()) {
          if (out.direction !== 'out' || !validAt(out, null)) continue;
          const target = out.dataset;
          const cll = this.#graph.columnLineage.get(target.key);
          let changed = false;
          for (const t of flowing) {
            const targets: Array<string | null> = [];
            if (t.field !== null && cll) {
              for (const [field, inputs] of cll.fields) {
                if (
                  inputs.some((i) => i.namespace === d.namespace && i.name === d.name && i.field === t.field)
                ) {
                  targets.push(field);
                }
              }
            }
            if (targets.length === 0) targets.push(null);
            for (const field of targets) {
              changed = add(target, { ...t, field, inherited: true }) || changed;
            }
          }
          if (changed) work.push(target);
        }
      }
    }
    this.#tags = tags;
    this.#computeConflicts();
  }

  /**
   * Whether a destination is in the EEA: from its region tag, else from its own (direct, not inherited)
   * residency tag; null when it has neither (unknown, so not assumed safe).
   */
  #inEea(d: DatasetNode, region: string | null): boolean | null {
    if (region !== null) return this.#eea.has(region.toLowerCase());
    const declared = facetTags(d.facets).find((t) => t.field === null && isResidency(t));
    return declared ? declared.value.toLowerCase() === 'eea' : null;
  }

  #computeConflicts(): void {
    const conflicts: ResidencyConflict[] = [];
    const edges = new Set<string>();
    for (const job of this.#graph.jobs.values()) {
      const sources: DatasetNode[] = [];
      const outputs: DatasetNode[] = [];
      for (const e of job.edges.values()) {
        if (!validAt(e, null)) continue;
        if (e.direction === 'in' && (this.#tags.get(e.dataset.key) ?? []).some(isEea))
          sources.push(e.dataset);
        if (e.direction === 'out') outputs.push(e.dataset);
      }
      if (sources.length === 0) continue;
      for (const d of outputs) {
        const region = this.regionOf(d);
        const inEea = this.#inEea(d, region);
        if (inEea === true) continue;
        const decision = this.#graph.decisions.get(`${job.key}|${d.key}`) ?? null;
        if (decision && ALLOWING.has(decision.decision)) continue;
        const code: ConflictReasonCode =
          inEea === false ? 'RESIDENCY_REGION_OUTSIDE_EEA' : 'RESIDENCY_UNKNOWN_DESTINATION_REGION';
        edges.add(`${job.key}|${d.key}`);
        conflicts.push({
          edge: { origin: jobNodeId(job), destination: datasetNodeId(d) },
          job: { namespace: job.namespace, name: job.name },
          dataset: { namespace: d.namespace, name: d.name, region },
          sources: sources.map((s) => ({ namespace: s.namespace, name: s.name })),
          reason: { code, message: CONFLICT_REASONS[code] },
          decision,
        });
      }
    }
    this.#conflicts = conflicts;
    this.#conflictEdges = edges;
  }
}
