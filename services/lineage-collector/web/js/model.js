// Turns the read API's Marquez-shaped graphs into what the graph view draws.
import { tagsOf } from './tags.js';

/** Splits `dataset:<ns>:<name>` when the node has no data (the namespace may contain `://host:port`). */
export function splitNodeId(id) {
  const m = /^(dataset|job|datasetField):(.*)$/.exec(id);
  if (!m) return { type: 'unknown', namespace: '', name: id };
  const rest = m[2];
  // Namespaces follow OpenLineage naming: scheme://authority (with a port) or a plain word.
  const ns = /^([a-z][a-z0-9+.-]*:\/\/[^/:]+(?::\d+)?)[:](.*)$/i.exec(rest) ?? /^([^:]*):(.*)$/.exec(rest);
  return { type: m[1], namespace: ns ? ns[1] : '', name: ns ? ns[2] : rest };
}

function identity(node) {
  const d = node.data ?? {};
  if (node.type === 'DATASET_FIELD') {
    return { namespace: d.namespace ?? '', name: d.dataset ?? '', field: d.field ?? '' };
  }
  const ns = d.id?.namespace ?? d.namespace;
  const name = d.id?.name ?? d.name;
  if (typeof ns === 'string' && typeof name === 'string') return { namespace: ns, name };
  const parsed = splitNodeId(node.id);
  return { namespace: parsed.namespace, name: parsed.name };
}

/**
 * @param {{ graph: any[], truncated?: boolean }} body
 */
export function graphModel(body) {
  const graph = Array.isArray(body?.graph) ? body.graph : [];
  const nodes = [];
  const edges = new Map();
  for (const node of graph) {
    if (!node || typeof node.id !== 'string') continue;
    const who = identity(node);
    const type = node.type ?? splitNodeId(node.id).type.toUpperCase();
    nodes.push({
      id: node.id,
      type,
      title: type === 'DATASET_FIELD' ? who.field : who.name,
      subtitle: type === 'DATASET_FIELD' ? who.name : who.namespace,
      namespace: who.namespace,
      name: who.name,
      field: who.field,
      tags: tagsOf(node.data),
      data: node.data ?? {},
    });
    for (const e of [...(node.inEdges ?? []), ...(node.outEdges ?? [])]) {
      if (typeof e?.origin !== 'string' || typeof e?.destination !== 'string') continue;
      const key = `${e.origin}\u0000${e.destination}`;
      const conflict = edgeConflict(e);
      const prev = edges.get(key);
      edges.set(key, { from: e.origin, to: e.destination, conflict: prev?.conflict ?? conflict });
    }
  }
  return { nodes, edges: [...edges.values()], truncated: body?.truncated === true, asOf: body?.asOf };
}

function edgeConflict(e) {
  return e.residencyConflict === true
    ? 'EEA-resident data written outside the EEA with no recorded allow decision'
    : undefined;
}
