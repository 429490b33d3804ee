import type { InputFieldRef, LineageGraph } from './lineage-graph.ts';
import { nodeKey } from './graph-model.ts';

export interface FieldNode {
  namespace: string;
  name: string;
  field: string;
}

export interface ColumnLineageResult {
  nodes: Map<string, FieldNode>;
  /** Data flow: origin (input field) -> destination (derived field), with how. */
  edges: Array<{ origin: string; destination: string; input: InputFieldRef }>;
  truncated: boolean;
}

export const fieldNodeId = (f: FieldNode) => `datasetField:${f.namespace}:${f.name}:${f.field}`;

/** Input field -> fields derived from it (as of `asOf`), built from the graph's column lineage when asked. */
function downstreamIndex(
  graph: LineageGraph,
  asOf: number | null,
): Map<string, Array<{ target: FieldNode; input: InputFieldRef }>> {
  const index = new Map<string, Array<{ target: FieldNode; input: InputFieldRef }>>();
  for (const key of (asOf === null ? graph.columnLineage : graph.columnLineageHistory).keys()) {
    const state = graph.columnLineageAt(key, asOf);
    const d = graph.datasets.get(key);
    if (!d || !state) continue;
    for (const [field, inputs] of state.fields) {
      for (const input of inputs) {
        const id = fieldNodeId(input);
        const list = index.get(id) ?? [];
        list.push({ target: { namespace: d.namespace, name: d.name, field }, input });
        index.set(id, list);
      }
    }
  }
  return index;
}

/**
 * Column lineage from the given fields: upstream through each field's input fields up to `depth` hops, and
 * downstream too when asked (Marquez's `withDownstream`); with `asOf`, from the column lineage facets in
 * effect then.
 */
export function queryColumnLineage(
  graph: LineageGraph,
  start: FieldNode[],
  depth: number,
  withDownstream: boolean,
  maxNodes: number,
  asOf: number | null = null,
): ColumnLineageResult {
  const nodes = new Map<string, FieldNode>();
  const edges: ColumnLineageResult['edges'] = [];
  const edgeIds = new Set<string>();
  let truncated = false;
  const add = (f: FieldNode) => {
    const id = fieldNodeId(f);
    if (nodes.has(id)) return true;
    if (nodes.size >= maxNodes) {
      truncated = true;
      return false;
    }
    nodes.set(id, f);
    return true;
  };
  const edge = (origin: string, destination: string, input: InputFieldRef) => {
    const id = `${origin}\u0000${destination}`;
    if (edgeIds.has(id)) return;
    edgeIds.add(id);
    edges.push({ origin, destination, input });
  };
  for (const f of start) add(f);
  let frontier = [...start];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: FieldNode[] = [];
    for (const f of frontier) {
      const inputs = graph.columnLineageAt(nodeKey(f.namespace, f.name), asOf)?.fields.get(f.field) ?? [];
      for (const input of inputs) {
        const known = nodes.has(fieldNodeId(input));
        if (!add(input)) continue;
        edge(fieldNodeId(input), fieldNodeId(f), input);
        if (!known) next.push({ namespace: input.namespace, name: input.name, field: input.field });
      }
    }
    frontier = next;
  }
  if (withDownstream) {
    const index = downstreamIndex(graph, asOf);
    frontier = [...start];
    const seen = new Set(start.map(fieldNodeId));
    for (let d = 0; d < depth && frontier.length > 0; d++) {
      const next: FieldNode[] = [];
      for (const f of frontier) {
        for (const { target, input } of index.get(fieldNodeId(f)) ?? []) {
          if (!add(target)) continue;
          edge(fieldNodeId(f), fieldNodeId(target), input);
          if (!seen.has(fieldNodeId(target))) {
            seen.add(fieldNodeId(target));
            next.push(target);
          }
        }
      }
      frontier = next;
    }
  }
  return { nodes, edges, truncated };
}
