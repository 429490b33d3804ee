import { edgeIntervals } from '../graph/edge-intervals.ts';
import type { Interval, RunIo } from '../graph/graph-model.ts';
import type { JobState, LineageGraph } from '../graph/lineage-graph.ts';
import type { BatchPlan, EdgeRow } from './batch-plan.ts';
import { stableUuid } from './canonical-json.ts';
import { datasetId } from './node-ids.ts';

const sameIntervals = (a: readonly Interval[], b: readonly Interval[]) =>
  a.length === b.length && a.every((x, i) => x.from === b[i]!.from && x.to === b[i]!.to);

/**
 * After a batch's events are staged on a job: its edge rows (only if the intervals changed), its current
 * version, and the versions of the runs the batch touched (only those not stored yet).
 */
export function finishJob(
  graph: LineageGraph,
  plan: BatchPlan,
  job: JobState,
  touched: ReadonlySet<RunIo>,
): void {
  const live = graph.jobs.get(job.key);
  const intervals = edgeIntervals(job.runs);
  const unchanged =
    live !== undefined &&
    live.edges.size === intervals.size &&
    [...intervals].every(([key, list]) => {
      const edge = live.edges.get(key);
      return edge !== undefined && sameIntervals(edge.intervals, list);
    });
  const rows: EdgeRow[] = [];
  const datasetIdOf = (key: string) => {
    const known = plan.datasets.get(key)?.id ?? graph.datasets.get(key)?.id;
    if (known) return known;
    const [ns, name] = key.split('\u0000') as [string, string];
    return datasetId(ns, name);
  };
  for (const [edgeKey, list] of unchanged ? [] : intervals) {
    const bar = edgeKey.indexOf('|');
    for (const i of list) {
      rows.push({
        jobId: job.id,
        datasetId: datasetIdOf(edgeKey.slice(bar + 1)),
        direction: edgeKey.slice(0, bar),
        from: i.from,
        to: i.to,
      });
    }
  }
  if (!unchanged) plan.edges.set(job.id, rows);
  plan.intervals.set(job.key, unchanged ? null : intervals);
  // Job versions: one per distinct set of inputs and outputs; the current one is the latest run's.
  const versions = new Map<RunIo, string>();
  const versionOf = (run: RunIo) => {
    let id = versions.get(run);
    if (id === undefined) {
      id = stableUuid('job-version', job.id, ...[...run.io].sort());
      versions.set(run, id);
    }
    return id;
  };
  const latest = job.runs.findLast((r) => r.io.size > 0);
  if (latest) {
    const current = versionOf(latest);
    if (current !== job.currentVersion) job.dirty = true;
    job.currentVersion = current;
  }
  for (const run of job.runs) {
    if (run.io.size === 0 || !touched.has(run)) continue;
    const ioList = [...run.io].sort();
    const id = versionOf(run);
    const known = plan.jobVersions.get(id);
    // The live job's current version is stored already (the usual case: a run like the one before).
    if (id !== live?.currentVersion && (!known || run.start < known.createdAt)) {
      const names = (dir: string) =>
        ioList.filter((k) => k.startsWith(dir)).map((k) => k.slice(dir.length).replace('\u0000', ':'));
      plan.jobVersions.set(id, {
        id,
        jobId: job.id,
        createdAt: run.start,
        inputs: names('in|'),
        outputs: names('out|'),
      });
    }
    const row = plan.runs.get(run.runId);
    if (row) row.jobVersion = id;
  }
}
