import { describe, expect, it } from 'vitest';
import { datasetRuns } from './dataset-runs.ts';
import type { DatasetNode, EdgeRecord, JobNode, RunIo } from './graph-model.ts';

const dataset = (name: string): DatasetNode => ({
  id: name,
  key: `ns\u0000${name}`,
  namespace: 'ns',
  name,
  createdAt: 0,
  updatedAt: 0,
  facets: {},
  schemas: [],
  currentVersion: null,
  producers: new Set(),
  consumers: new Set(),
});

function job(name: string, runs: Array<[string, number, string[]]>): JobNode {
  return {
    id: name,
    key: `jobs\u0000${name}`,
    namespace: 'jobs',
    name,
    createdAt: 0,
    updatedAt: 0,
    facets: {},
    runs: runs.map(([runId, start, io]): RunIo => ({ runId, start, io: new Set(io) })),
    edges: new Map(),
    latestRunId: null,
    latestRunStart: 0,
    latestRun: null,
    currentVersion: null,
  };
}

const edge = (j: JobNode, d: DatasetNode, direction: 'in' | 'out'): void => {
  const e: EdgeRecord = { job: j, dataset: d, direction, intervals: [{ from: 0, to: null }] };
  (direction === 'in' ? d.consumers : d.producers).add(e);
};

describe('datasetRuns', () => {
  const t = dataset('t');
  const other = dataset('other');
  const writer = job('writer', [
    ['w1', 10, [`out|${t.key}`]],
    ['w2', 20, [`out|${other.key}`]],
    ['w3', 30, [`out|${t.key}`, `in|${t.key}`]],
  ]);
  const reader = job('reader', [
    ['job-event:reader:25', 25, [`in|${t.key}`]],
    ['r1', 15, [`in|${t.key}`]],
    ['r2', 40, [`in|${t.key}`]],
  ]);
  // Runs are kept ordered by start; the test job lists them so.
  reader.runs.sort((a, b) => a.start - b.start);
  edge(writer, t, 'out');
  edge(reader, t, 'in');
  const ids = (page: { limit: number; offset: number; asOf: number | null }) =>
    datasetRuns(t, page).map((r) => `${r.runId}:${r.reads ? 'r' : ''}${r.writes ? 'w' : ''}`);

  it('lists the runs of every job that read or wrote it, newest first, not JobEvents', () => {
    expect(ids({ limit: 10, offset: 0, asOf: null })).toEqual(['r2:r', 'w3:rw', 'r1:r', 'w1:w']);
  });

  it('pages', () => {
    expect(ids({ limit: 2, offset: 0, asOf: null })).toEqual(['r2:r', 'w3:rw']);
    expect(ids({ limit: 2, offset: 2, asOf: null })).toEqual(['r1:r', 'w1:w']);
    expect(ids({ limit: 2, offset: 4, asOf: null })).toEqual([]);
  });

  it('keeps to runs started by a point in time', () => {
    expect(ids({ limit: 10, offset: 0, asOf: 29 })).toEqual(['r1:r', 'w1:w']);
  });
});
