import { href } from './router.js';
import { splitNodeId } from './model.js';

export const datasetHref = (ns, name, params = {}) => href('dataset', [ns, name], params);
export const jobHref = (ns, name, params = {}) => href('job', [ns, name], params);
export const columnHref = (ns, name, field, params = {}) => href('column', [ns, name, field], params);
export const runsHref = (ns, job, params = {}) => href('runs', [ns, job], params);

/** The page of a graph node (dataset or job), keeping view params such as asOf. */
export function nodeHref(node, params = {}) {
  const type = node.type === 'JOB' ? 'job' : 'dataset';
  const ns = node.namespace ?? splitNodeId(node.id).namespace;
  const name = node.name ?? splitNodeId(node.id).name;
  return type === 'job' ? jobHref(ns, name, params) : datasetHref(ns, name, params);
}
