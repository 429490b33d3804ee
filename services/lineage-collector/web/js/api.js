/* global fetch, URLSearchParams */
// The collector's read API (Marquez's paths and shapes), same origin only. Every call goes to a relative
// path: the page's Content-Security-Policy (`default-src 'self'`) would block anything else anyway.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const seg = (value) => encodeURIComponent(value);

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

async function get(path, params = {}) {
  const res = await fetch(path + query(params), {
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
  });
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const code = body?.code ?? body?.error_code ?? `HTTP_${res.status}`;
    const message = body?.message ?? (res.statusText || 'request failed');
    throw new ApiError(res.status, String(code), String(message));
  }
  return body;
}

/** `dataset:<ns>:<name>` / `job:<ns>:<name>` (Marquez's node ids; the name may itself contain colons). */
export const nodeId = (type, namespace, name) => `${type}:${namespace}:${name}`;
export const fieldNodeId = (namespace, name, field) => `datasetField:${namespace}:${name}:${field}`;

export const api = {
  namespaces: () => get('/api/v1/namespaces'),
  datasets: (ns, limit = 100) => get(`/api/v1/namespaces/${seg(ns)}/datasets`, { limit }),
  jobs: (ns, limit = 100) => get(`/api/v1/namespaces/${seg(ns)}/jobs`, { limit }),
  search: (q, filter, limit = 50) => get('/api/v1/search', { q, filter, limit }),
  dataset: (ns, name, asOf) => get(`/api/v1/namespaces/${seg(ns)}/datasets/${seg(name)}`, { asOf }),
  datasetVersions: (ns, name, limit = 10) =>
    get(`/api/v1/namespaces/${seg(ns)}/datasets/${seg(name)}/versions`, { limit }),
  job: (ns, name, asOf) => get(`/api/v1/namespaces/${seg(ns)}/jobs/${seg(name)}`, { asOf }),
  jobVersions: (ns, name, limit = 10) =>
    get(`/api/v1/namespaces/${seg(ns)}/jobs/${seg(name)}/versions`, { limit }),
  runs: (ns, name, limit = 50) => get(`/api/v1/namespaces/${seg(ns)}/jobs/${seg(name)}/runs`, { limit }),
  lineage: (id, { up, down, asOf, maxNodes }) =>
    get('/api/v1/lineage', {
      nodeId: id,
      depth: Math.max(up, down),
      upstreamDepth: up,
      downstreamDepth: down,
      asOf,
      maxNodes,
    }),
  columnLineage: (id, { depth, withDownstream, asOf }) =>
    get('/api/v1/column-lineage', { nodeId: id, depth, withDownstream, asOf }),
  datasetRuns: (ns, name, limit = 5, asOf) =>
    get(`/api/v1/namespaces/${seg(ns)}/datasets/${seg(name)}/runs`, { limit, asOf }),
  /** Failed and aborted runs of every job, newest failure first, from the collector's runs table. */
  failedRuns: (limit = 50, offset = 0) => get('/api/v1/runs', { state: 'FAILED,ABORTED', limit, offset }),
  conflicts: () => get('/api/v1/residency/conflicts'),
};
