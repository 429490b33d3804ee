import { stableUuid } from './canonical-json.ts';

/** Row ids derive from names, so a batch needs no round trip to learn them. */
export const datasetId = (namespace: string, name: string): string => stableUuid('dataset', namespace, name);
export const jobId = (namespace: string, name: string): string => stableUuid('job', namespace, name);
/** A job version is a distinct set of inputs and outputs (`in|<datasetKey>`, `out|<datasetKey>`). */
export const jobVersionId = (jobId: string, io: Iterable<string>): string =>
  stableUuid('job-version', jobId, ...[...io].sort());
