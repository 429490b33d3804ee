import type { DatasetNode, EdgeRecord, JobNode } from './graph-model.ts';
import { validAt } from './graph-model.ts';

export type Start = { type: 'dataset'; node: DatasetNode } | { type: 'job'; node: JobNode };

export interface LineageQuery {
  start: Start;
  upstreamDepth: number;
  downstreamDepth: number;
  /** ms since the epoch, or null for now. */
  asOf: number | null;
  maxNodes: number;
}

export interface LineageResult {
  datasets: Set<DatasetNode>;
  jobs: Set<JobNode>;
  /** Every valid edge between two returned nodes. */
  edges: EdgeRecord[];
  truncated: boolean;
}

/**
 * Breadth-first over the in-memory graph: upstream (producers, then their inputs) up to `upstreamDepth`
 * jobs away, downstream (consumers, then their outputs) up to `downstreamDepth` jobs away, using only the
 * edges valid at `asOf`. Stops adding nodes at `maxNodes` and says so.
 */
export function queryLineage(q: LineageQuery): LineageResult {
  const datasets = new Set<DatasetNode>();
  const jobs = new Set<JobNode>();
  let truncated = false;
  const room = () => {
    if (datasets.size + jobs.size < q.maxNodes) return true;
    truncated = true;
    return false;
  };
  // A node reached through an edge valid at asOf existed then (its edge can start with its run, before the
  // first event that named the dataset); only the start node is checked against its first event.
  const addDataset = (d: DatasetNode) => {
    if (datasets.has(d)) return true;
    if (!room()) return false;
    datasets.add(d);
    return true;
  };
  const addJob = (j: JobNode) => {
    if (jobs.has(j)) return true;
    if (!room()) return false;
    jobs.add(j);
    return true;
  };

  for (const direction of ['up', 'down'] as const) {
    const limit = direction === 'up' ? q.upstreamDepth : q.downstreamDepth;
    const seenJobs = new Set<JobNode>();
    const seenDatasets = new Set<DatasetNode>();
    // Frontier of datasets at the current depth; a start job contributes its own inputs or outputs.
    let frontier: DatasetNode[] = [];
    if (q.start.type === 'dataset') {
      addDataset(q.start.node);
      frontier = [q.start.node];
      seenDatasets.add(q.start.node);
    } else {
      const j = q.start.node;
      addJob(j);
      seenJobs.add(j);
      for (const e of j.edges.values()) {
        if (e.direction !== (direction === 'up' ? 'in' : 'out') || !validAt(e, q.asOf)) continue;
        if (!seenDatasets.has(e.dataset) && addDataset(e.dataset)) {
          seenDatasets.add(e.dataset);
          frontier.push(e.dataset);
        }
      }
    }
    const startDepth = q.start.type === 'job' ? 1 : 0;
    for (let depth = startDepth; depth < limit && frontier.length > 0 && !truncated; depth++) {
      const next: DatasetNode[] = [];
      for (const d of frontier) {
        for (const e of direction === 'up' ? d.producers : d.consumers) {
          if (!validAt(e, q.asOf) || seenJobs.has(e.job)) continue;
          seenJobs.add(e.job);
          if (!addJob(e.job)) continue;
          for (const f of e.job.edges.values()) {
            if (f.direction !== (direction === 'up' ? 'in' : 'out') || !validAt(f, q.asOf)) continue;
            if (seenDatasets.has(f.dataset)) continue;
            if (!addDataset(f.dataset)) continue;
            seenDatasets.add(f.dataset);
            next.push(f.dataset);
          }
        }
      }
      frontier = next;
    }
  }
  const edges: EdgeRecord[] = [];
  for (const j of jobs) {
    for (const e of j.edges.values()) if (datasets.has(e.dataset) && validAt(e, q.asOf)) edges.push(e);
  }
  return { datasets, jobs, edges, truncated };
}
