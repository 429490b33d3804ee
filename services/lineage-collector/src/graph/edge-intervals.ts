import type { Interval, RunIo } from './graph-model.ts';

/**
 * The validity intervals of each of a job's edges, from the job's runs ordered by start: an edge holds from
 * the start of the first run that reads or writes it until the start of the next run that does not (runs
 * without inputs or outputs are ignored). Recomputed from all runs, so the order events arrive in does not
 * matter.
 */
export function edgeIntervals(runs: readonly RunIo[]): Map<string, Interval[]> {
  const out = new Map<string, Interval[]>();
  const open = new Map<string, Interval>();
  for (const run of runs) {
    if (run.io.size === 0) continue;
    for (const [edge, interval] of open) {
      if (!run.io.has(edge)) {
        interval.to = run.start;
        open.delete(edge);
      }
    }
    for (const edge of run.io) {
      if (open.has(edge)) continue;
      const interval: Interval = { from: run.start, to: null };
      open.set(edge, interval);
      const list = out.get(edge);
      if (list) list.push(interval);
      else out.set(edge, [interval]);
    }
  }
  return out;
}

/** Inserts a run keeping `runs` ordered by start (then id); returns the index. */
export function insertRun(runs: RunIo[], run: RunIo): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = runs[mid]!;
    if (m.start < run.start || (m.start === run.start && m.runId < run.runId)) lo = mid + 1;
    else hi = mid;
  }
  runs.splice(lo, 0, run);
  return lo;
}
