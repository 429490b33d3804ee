import type { DatasetNode, JobNode } from './graph-model.ts';
import type { LineageGraph } from './lineage-graph.ts';

export type ResolvedNode =
  { type: 'dataset'; node: DatasetNode; field?: string } | { type: 'job'; node: JobNode };

/**
 * Resolves Marquez's node ids: `dataset:<ns>:<name>`, `job:<ns>:<name>`, `datasetField:<ns>:<name>:<field>`.
 * Namespaces hold colons (`postgres://host:5432`), so every split point is tried against the graph.
 */
export function resolveNodeId(graph: LineageGraph, nodeId: string): ResolvedNode | 'malformed' | null {
  const colon = nodeId.indexOf(':');
  if (colon <= 0) return 'malformed';
  const type = nodeId.slice(0, colon);
  let rest = nodeId.slice(colon + 1);
  let field: string | undefined;
  if (type === 'datasetField') {
    const last = rest.lastIndexOf(':');
    if (last <= 0) return 'malformed';
    field = rest.slice(last + 1);
    rest = rest.slice(0, last);
  } else if (type !== 'dataset' && type !== 'job') {
    return 'malformed';
  }
  if (!rest.includes(':')) return 'malformed';
  for (let i = rest.indexOf(':'); i > 0; i = rest.indexOf(':', i + 1)) {
    const ns = rest.slice(0, i);
    const name = rest.slice(i + 1);
    if (type === 'job') {
      const j = graph.job(ns, name);
      if (j) return { type: 'job', node: j };
    } else {
      const d = graph.dataset(ns, name);
      if (d) return field === undefined ? { type: 'dataset', node: d } : { type: 'dataset', node: d, field };
    }
  }
  return null;
}
