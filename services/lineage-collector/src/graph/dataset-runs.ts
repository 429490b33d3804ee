import type { DatasetNode, JobNode } from './graph-model.ts';
import { isJobEventRun } from './job-event-run.ts';

export interface DatasetRunRef {
  runId: string;
  /** The run's first event time (ms). */
  start: number;
  job: JobNode;
  reads: boolean;
  writes: boolean;
}

/**
 * The runs that read or wrote a dataset, newest first (by start, then id), from the runs and their
 * inputs and outputs each job keeps in memory: only the jobs with an edge to the dataset are looked at,
 * each from its newest run back until it has `offset + limit`. With `asOf`, only runs started by then.
 */
export function datasetRuns(
  d: DatasetNode,
  page: { limit: number; offset: number; asOf: number | null },
): DatasetRunRef[] {
  const want = page.offset + page.limit;
  const jobs = new Set<JobNode>();
  for (const e of d.producers) jobs.add(e.job);
  for (const e of d.consumers) jobs.add(e.job);
  const read = `in|${d.key}`;
  const wrote = `out|${d.key}`;
  const found: DatasetRunRef[] = [];
  for (const job of jobs) {
    let n = 0;
    for (let i = job.runs.length - 1; i >= 0 && n < want; i--) {
      const r = job.runs[i]!;
      // A JobEvent's row holds edges, not a run.
      if ((page.asOf !== null && r.start > page.asOf) || isJobEventRun(r.runId)) continue;
      const reads = r.io.has(read);
      const writes = r.io.has(wrote);
      if (!reads && !writes) continue;
      found.push({ runId: r.runId, start: r.start, job, reads, writes });
      n++;
    }
  }
  found.sort((a, b) => b.start - a.start || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return found.slice(page.offset, want);
}
