import { stableUuid } from './canonical-json.ts';

/** Row ids derive from names, so a batch needs no round trip to learn them. */
export const datasetId = (namespace: string, name: string): string => stableUuid('dataset', namespace, name);
export const jobId = (namespace: string, name: string): string => stableUuid('job', namespace, name);
