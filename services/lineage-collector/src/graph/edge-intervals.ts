import type { Interval, RunIo } from './graph-model.ts';

/**
 * The validity intervals of each of a job's edges, from the job's runs ordered by start: an edge holds from
 * the start of the first run that reads or writes it until the start of the next run that does not (runs
 * without inputs or outputs are ignored). Used when the graph is loaded; ingest replays only what changed
 * (`replayIntervals`).
 */
export function edgeIntervals(runs: readonly RunIo[]): Map<string, Interval[]> {
  return replayIntervals(new Map(), undefined, -Infinity, runs);
}

/**
 * The edges whose intervals change when the runs from `t0` on become `tail` (ordered by start, every start
 * >= t0; the runs before t0 are unchanged and `prev` is the last of them with io). `edges` are the intervals
 * before; they are not changed (lists are copied on write). Returns the changed edges only, an empty list
 * for an edge that no longer exists. Costs O(edges + tail), not O(runs): after a run with io the open edges
 * are exactly that run's io, so the state at t0 is known without replaying the older runs, and the order
 * events arrive in does not matter.
 */
export function replayIntervals(
  edges: ReadonlyMap<string, readonly Interval[]>,
  prev: RunIo | undefined,
  t0: number,
  tail: readonly RunIo[],
): Map<string, Interval[]> {
  const changed = new Map<string, Interval[]>();
  const own = (edge: string): Interval[] => {
    let list = changed.get(edge);
    if (!list) {
      list = [...(edges.get(edge) ?? [])];
      changed.set(edge, list);
    }
    return list;
  };
  // Back to the state at t0: intervals opened from t0 on are dropped, those closed from t0 on reopened.
  for (const [edge, list] of edges) {
    let k = list.length;
    while (k > 0 && list[k - 1]!.from >= t0) k--;
    const last = list[k - 1];
    const reopen = last !== undefined && last.to !== null && last.to >= t0;
    if (k === list.length && !reopen) continue;
    const cut = list.slice(0, k);
    if (last && reopen) cut[k - 1] = { from: last.from, to: null };
    changed.set(edge, cut);
  }
  let open: ReadonlySet<string> = prev?.io ?? new Set();
  for (const run of tail) {
    if (run.io.size === 0) continue;
    for (const edge of open) {
      if (run.io.has(edge)) continue;
      const list = own(edge);
      const last = list[list.length - 1]!;
      list[list.length - 1] = { from: last.from, to: run.start };
    }
    for (const edge of run.io) if (!open.has(edge)) own(edge).push({ from: run.start, to: null });
    open = run.io;
  }
  for (const [edge, list] of changed) {
    const before = edges.get(edge);
    if (before && sameIntervals(before, list)) changed.delete(edge);
  }
  return changed;
}

export const sameIntervals = (a: readonly Interval[], b: readonly Interval[]): boolean =>
  a.length === b.length && a.every((x, i) => x.from === b[i]!.from && x.to === b[i]!.to);

/** Orders runs by start, then id. */
export const byStart = (a: RunIo, b: RunIo): number =>
  a.start - b.start || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);

/** The index of the first run starting at or after `t`. */
export function firstFrom(runs: readonly RunIo[], t: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid]!.start < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts a run keeping `runs` ordered by start (then id); returns the index. */
export function insertRun(runs: RunIo[], run: RunIo): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byStart(runs[mid]!, run) < 0) lo = mid + 1;
    else hi = mid;
  }
  runs.splice(lo, 0, run);
  return lo;
}
