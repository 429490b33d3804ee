// A layered ("Sugiyama style") layout for lineage graphs, small enough to read:
// 1. cycles are broken by ignoring DFS back edges (lineage can loop: a job reading and writing one table);
// 2. longest-path layering: a node sits one layer right of its furthest-right predecessor (sources are
//    then pulled right, next to their nearest successor);
// 3. long edges get virtual nodes so that ordering sees them;
// 4. barycenter sweeps down and up the layers, keeping the order with the fewest crossings.
// Pure: no DOM, so it is unit tested on its own.

/**
 * @param {{id: string}[]} nodes
 * @param {{from: string, to: string}[]} edges
 * @param {{ sweeps?: number }} [options]
 * @returns {{ layers: string[][], layerOf: Map<string, number>, orderOf: Map<string, number>, crossings: number }}
 */
export function layeredLayout(nodes, edges, options = {}) {
  const ids = nodes.map((n) => n.id);
  const known = new Set(ids);
  const out = new Map(ids.map((id) => [id, []]));
  const unique = new Set();
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    const key = `${e.from}\u0000${e.to}`;
    if (unique.has(key)) continue;
    unique.add(key);
    out.get(e.from).push(e.to);
  }
  const dag = acyclicEdges(ids, out);
  const layerOf = longestPathLayers(ids, dag);

  // Virtual nodes along edges that span more than one layer.
  const layerCount = Math.max(0, ...layerOf.values()) + 1;
  const layers = Array.from({ length: layerCount }, () => []);
  for (const id of ids) layers[layerOf.get(id)].push(id);
  const segments = []; // [upper, lower] between adjacent layers
  let virtual = 0;
  for (const [from, to] of dag) {
    let prev = from;
    for (let l = layerOf.get(from) + 1; l < layerOf.get(to); l++) {
      const v = `\u0000v${virtual++}`;
      layers[l].push(v);
      layerOf.set(v, l);
      segments.push([prev, v]);
      prev = v;
    }
    segments.push([prev, to]);
  }
  const up = new Map();
  const down = new Map();
  for (const [a, b] of segments) {
    if (!down.has(a)) down.set(a, []);
    if (!up.has(b)) up.set(b, []);
    down.get(a).push(b);
    up.get(b).push(a);
  }

  let best = layers.map((l) => [...l]);
  let bestCrossings = countCrossings(best, down);
  let current = best.map((l) => [...l]);
  const sweeps = options.sweeps ?? 6;
  for (let i = 0; i < sweeps; i++) {
    const downward = i % 2 === 0;
    const range = downward
      ? [...Array(current.length).keys()].slice(1)
      : [...Array(current.length).keys()].slice(0, -1).reverse();
    for (const l of range) {
      const ref = current[downward ? l - 1 : l + 1];
      const pos = new Map(ref.map((id, idx) => [id, idx]));
      const neighbours = downward ? up : down;
      const bary = new Map();
      current[l].forEach((id, idx) => {
        const ns = (neighbours.get(id) ?? []).filter((n) => pos.has(n));
        bary.set(id, ns.length ? ns.reduce((sum, n) => sum + pos.get(n), 0) / ns.length : idx);
      });
      current[l] = [...current[l]].sort((a, b) => bary.get(a) - bary.get(b));
    }
    const c = countCrossings(current, down);
    if (c < bestCrossings) {
      best = current.map((l) => [...l]);
      bestCrossings = c;
    }
  }

  const realLayers = best.map((l) => l.filter((id) => known.has(id)));
  const orderOf = new Map();
  for (const layer of realLayers) layer.forEach((id, idx) => orderOf.set(id, idx));
  for (const id of [...layerOf.keys()]) if (!known.has(id)) layerOf.delete(id);
  return { layers: realLayers, layerOf, orderOf, crossings: bestCrossings };
}

/** Edges of a DFS forest minus its back edges: a DAG over the same nodes. */
function acyclicEdges(ids, out) {
  const state = new Map(); // 1 on the stack, 2 done
  const dag = [];
  for (const root of [...ids].sort()) {
    if (state.has(root)) continue;
    // Iterative DFS: lineage graphs can be deep enough to overflow recursion.
    const stack = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      const next = out.get(node)[i];
      if (next === undefined) {
        state.set(node, 2);
        stack.pop();
        continue;
      }
      top[1] = i + 1;
      const st = state.get(next);
      if (st === 1) continue; // back edge: would close a cycle
      dag.push([node, next]);
      if (st === undefined) {
        state.set(next, 1);
        stack.push([next, 0]);
      }
    }
  }
  return dag;
}

function longestPathLayers(ids, dag) {
  const indegree = new Map(ids.map((id) => [id, 0]));
  const succ = new Map(ids.map((id) => [id, []]));
  for (const [a, b] of dag) {
    succ.get(a).push(b);
    indegree.set(b, indegree.get(b) + 1);
  }
  const layer = new Map(ids.map((id) => [id, 0]));
  const sources = ids.filter((id) => indegree.get(id) === 0);
  const queue = [...sources];
  for (let q = 0; q < queue.length; q++) {
    const id = queue[q];
    for (const n of succ.get(id)) {
      layer.set(n, Math.max(layer.get(n), layer.get(id) + 1));
      indegree.set(n, indegree.get(n) - 1);
      if (indegree.get(n) === 0) queue.push(n);
    }
  }
  // A source sits just left of its nearest successor, not in the first column: a second input of a job
  // deep in the graph then draws as a short edge instead of one crossing the whole picture.
  for (const id of sources) {
    const next = succ.get(id);
    if (next.length) layer.set(id, Math.min(...next.map((n) => layer.get(n))) - 1);
  }
  return layer;
}

/** Crossings between adjacent layers, counted pairwise (graphs here are small). */
export function countCrossings(layers, down) {
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const lower = new Map(layers[l + 1].map((id, idx) => [id, idx]));
    const segs = [];
    layers[l].forEach((id, idx) => {
      for (const t of down.get(id) ?? []) if (lower.has(t)) segs.push([idx, lower.get(t)]);
    });
    for (let i = 0; i < segs.length; i++) {
      for (let j = i + 1; j < segs.length; j++) {
        const [a1, b1] = segs[i];
        const [a2, b2] = segs[j];
        if ((a1 - a2) * (b1 - b2) < 0) total++;
      }
    }
  }
  return total;
}
