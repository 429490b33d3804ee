import { describe, expect, it } from 'vitest';
import { byStart, edgeIntervals, firstFrom, insertRun, replayIntervals } from './edge-intervals.ts';
import type { Interval, RunIo } from './graph-model.ts';

const run = (runId: string, start: number, ...io: string[]): RunIo => ({ runId, start, io: new Set(io) });

describe('edgeIntervals', () => {
  it('opens an edge at its first run and closes it at the next run without it', () => {
    const m = edgeIntervals([
      run('a', 10, 'in|x', 'out|y'),
      run('b', 20, 'in|x', 'out|z'),
      run('c', 30, 'in|x', 'out|y'),
    ]);
    expect(m.get('in|x')).toEqual([{ from: 10, to: null }]);
    expect(m.get('out|y')).toEqual([
      { from: 10, to: 20 },
      { from: 30, to: null },
    ]);
    expect(m.get('out|z')).toEqual([{ from: 20, to: 30 }]);
  });

  it('ignores runs without io and is the same whatever order runs were inserted in', () => {
    const runs: RunIo[] = [];
    for (const r of [run('c', 30, 'out|y'), run('a', 10, 'out|y'), run('empty', 15), run('b', 20, 'out|z')]) {
      insertRun(runs, r);
    }
    expect(runs.map((r) => r.runId)).toEqual(['a', 'empty', 'b', 'c']);
    expect(edgeIntervals(runs).get('out|y')).toEqual([
      { from: 10, to: 20 },
      { from: 30, to: null },
    ]);
  });
});

describe('replayIntervals', () => {
  /** A small seeded generator, so a failure repeats. */
  const random = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };

  it('gives the same intervals as a full recompute, whatever order runs arrive in', () => {
    for (let trial = 0; trial < 200; trial++) {
      const rnd = random(trial + 1);
      const all = Array.from({ length: 12 }, (_, i) => {
        const io = ['in|a', 'in|b', 'out|c', 'out|d'].filter(() => rnd() < 0.5);
        return run(`r${i}`, Math.floor(rnd() * 8) * 10, ...io);
      });
      const runs: RunIo[] = [];
      let edges = new Map<string, Interval[]>();
      for (const r of all) {
        const t0 = r.start;
        const from = firstFrom(runs, t0);
        const tail = [...runs.slice(from), r].sort(byStart);
        const changed = replayIntervals(
          edges,
          runs.slice(0, from).findLast((x) => x.io.size > 0),
          t0,
          tail,
        );
        edges = new Map(edges);
        for (const [k, list] of changed) {
          if (list.length === 0) edges.delete(k);
          else edges.set(k, list);
        }
        runs.length = from;
        runs.push(...tail);
        expect(edges, `trial ${trial} after ${r.runId}`).toEqual(edgeIntervals(runs));
      }
    }
  });

  it('reports only the edges that changed and leaves the lists it was given alone', () => {
    const runs = [run('a', 10, 'in|x', 'out|y'), run('b', 20, 'in|x', 'out|y')];
    const edges = edgeIntervals(runs);
    const frozen = structuredClone([...edges]);
    expect(replayIntervals(edges, runs[1], 30, [run('c', 30, 'in|x', 'out|y')]).size).toBe(0);
    const changed = replayIntervals(edges, runs[1], 30, [run('c', 30, 'in|x', 'out|z')]);
    expect([...changed]).toEqual([
      ['out|y', [{ from: 10, to: 30 }]],
      ['out|z', [{ from: 30, to: null }]],
    ]);
    expect([...edges]).toEqual(frozen);
  });
});
