import { byStart, firstFrom, replayIntervals } from '../graph/edge-intervals.ts';
import type { Interval, RunIo } from '../graph/graph-model.ts';
import type { JobState, LineageGraph } from '../graph/lineage-graph.ts';
import type { BatchPlan, EdgeRow } from './batch-plan.ts';
import { datasetId, jobVersionId } from './node-ids.ts';

/**
 * After a batch's events are staged on a job: its runs from the earliest one the batch touched on (the
 * usual case: only the new last run), the edges whose intervals that changes (replayed from there, not from
 * the job's first run), its current version, and the versions of the touched runs not stored yet.
 */
export function finishJob(graph: LineageGraph, plan: BatchPlan, job: JobState): void {
  if (job.staged.size === 0) {
    plan.intervals.set(job.key, null);
    return;
  }
  const live = graph.jobs.get(job.key);
  // Where the run order changes: the earliest start of a touched run, before or after the batch.
  let t0 = Infinity;
  for (const r of job.staged.values()) t0 = Math.min(t0, r.start, job.runIndex.get(r.runId)?.start ?? t0);
  const from = firstFrom(job.runs, t0);
  const tail = job.runs.slice(from).filter((r) => !job.staged.has(r.runId));
  for (const r of job.staged.values()) tail.push(r);
  tail.sort(byStart);
  let prev: RunIo | undefined;
  for (let i = from - 1; i >= 0 && !prev; i--) if (job.runs[i]!.io.size > 0) prev = job.runs[i];
  job.runsFrom = from;
  job.runsTail = tail;

  const before = new Map<string, readonly Interval[]>();
  for (const [key, edge] of live?.edges ?? []) before.set(key, edge.intervals);
  const changed = replayIntervals(before, prev, t0, tail);
  plan.intervals.set(job.key, changed.size > 0 ? changed : null);
  const datasetIdOf = (key: string) => {
    const known = plan.datasets.get(key)?.id ?? graph.datasets.get(key)?.id;
    if (known) return known;
    const [ns, name] = key.split('\u0000') as [string, string];
    return datasetId(ns, name);
  };
  for (const [edgeKey, list] of changed) {
    const bar = edgeKey.indexOf('|');
    const direction = edgeKey.slice(0, bar);
    const id = datasetIdOf(edgeKey.slice(bar + 1));
    const rows: EdgeRow[] = list.map((i) => ({
      jobId: job.id,
      datasetId: id,
      direction,
      from: i.from,
      to: i.to,
    }));
    plan.edges.push({ jobId: job.id, datasetId: id, direction, rows });
  }

  // Job versions: one per distinct set of inputs and outputs; the current one is the latest run's.
  const versionOf = (run: RunIo) => jobVersionId(job.id, run.io);
  const latest = tail.findLast((r) => r.io.size > 0) ?? prev;
  if (latest) {
    const current = versionOf(latest);
    if (current !== job.currentVersion) job.dirty = true;
    job.currentVersion = current;
  }
  for (const run of job.staged.values()) {
    if (run.io.size === 0) continue;
    const id = run === latest && job.currentVersion ? job.currentVersion : versionOf(run);
    const known = plan.jobVersions.get(id);
    // The live job's current version is stored already (the usual case: a run like the one before).
    if (id !== live?.currentVersion && (!known || run.start < known.createdAt)) {
      const ioList = [...run.io].sort();
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
