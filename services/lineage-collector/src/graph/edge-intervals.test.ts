import { describe, expect, it } from 'vitest';
import { edgeIntervals, insertRun } from './edge-intervals.ts';
import type { RunIo } from './graph-model.ts';

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
