/* global performance */
import { describe, expect, it } from 'vitest';
import { layeredLayout } from './layout.js';

const n = (...ids) => ids.map((id) => ({ id }));
const e = (...pairs) => pairs.map(([from, to]) => ({ from, to }));

describe('layeredLayout', () => {
  it('puts every node one layer right of its furthest predecessor (longest path)', () => {
    const { layerOf } = layeredLayout(
      n('a', 'j1', 'b', 'j2', 'c'),
      e(['a', 'j1'], ['j1', 'b'], ['b', 'j2'], ['j2', 'c'], ['a', 'j2']),
    );
    expect(Object.fromEntries(layerOf)).toEqual({ a: 0, j1: 1, b: 2, j2: 3, c: 4 });
  });

  it('pulls a source next to its nearest successor instead of the first column', () => {
    const { layerOf } = layeredLayout(
      n('a', 'j1', 'b', 'j2', 'x'),
      e(['a', 'j1'], ['j1', 'b'], ['b', 'j2'], ['x', 'j2']),
    );
    expect(layerOf.get('j2')).toBe(3);
    expect(layerOf.get('x')).toBe(2);
    expect(layerOf.get('a')).toBe(0);
  });

  it('survives cycles and self loops', () => {
    const { layerOf, layers } = layeredLayout(
      n('a', 'b', 'c'),
      e(['a', 'b'], ['b', 'c'], ['c', 'a'], ['b', 'b']),
    );
    expect(layers.flat().sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(layerOf.values()).size).toBe(3);
  });

  it('orders layers to remove avoidable crossings', () => {
    // x1 -> y2 and x2 -> y1 cross in input order; the barycenter sweep uncrosses them.
    const { crossings, layers } = layeredLayout(n('x1', 'x2', 'y1', 'y2'), e(['x1', 'y2'], ['x2', 'y1']));
    expect(crossings).toBe(0);
    expect(layers).toHaveLength(2);
  });

  it('ignores edges to unknown nodes and duplicate edges', () => {
    const { layers } = layeredLayout(n('a', 'b'), e(['a', 'b'], ['a', 'b'], ['a', 'zz']));
    expect(layers).toEqual([['a'], ['b']]);
  });

  it('lays out a 2,000 node graph quickly', () => {
    const nodes = [];
    const edges = [];
    for (let i = 0; i < 2000; i++) {
      nodes.push({ id: `n${i}` });
      if (i > 0) edges.push({ from: `n${Math.floor((i - 1) / 3)}`, to: `n${i}` });
    }
    const started = performance.now();
    const { layers } = layeredLayout(nodes, edges, { sweeps: 2 });
    expect(layers.flat()).toHaveLength(2000);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
