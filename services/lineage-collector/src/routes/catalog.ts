import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  DatasetNotFound,
  JobNotFound,
  JobVersionNotFound,
  NamespaceNotFound,
  RunNotFound,
} from '../errors.ts';
import type { DatasetNode, JobNode } from '../graph/graph-model.ts';
import { resolveNodeId } from '../graph/node-id.ts';
import { jobVersionId } from '../ingest/node-ids.ts';
import type { LineageContext } from './lineage-context.ts';
import { dataset, datasetData, job, jobData, run, RUN_COLUMNS } from './marquez-shapes.ts';
import type { RunRow } from './marquez-shapes.ts';
import { Instant, Paging, parseQuery } from './query-params.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const PagingQuery = z.object(Paging);
const AsOfQuery = z.object({ asOf: Instant.optional() });
const at = (asOf: number) => ` (at ${new Date(asOf).toISOString()})`;

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Latest run of each job, in one query. */
export async function latestRuns(ctx: LineageContext, jobs: readonly JobNode[], asOf: number | null = null) {
  const out = new Map<string, ReturnType<typeof run>>();
  if (jobs.length === 0) return out;
  const r = await ctx.store.read<RunRow & { job_id: string }>(
    `select distinct on (r.job_id) r.job_id, ${RUN_COLUMNS}
     from lin_runs r join lin_jobs j on j.id = r.job_id
     where r.job_id = any($1::uuid[]) and r.kind = 'run' and r.first_event_time <= coalesce($2::timestamptz, 'infinity')
     order by r.job_id, r.first_event_time desc`,
    [jobs.map((j) => j.id), asOf === null ? null : new Date(asOf).toISOString()],
  );
  for (const row of r.rows) out.set(row.job_id, run(row));
  return out;
}

/** Marquez's namespace, dataset, job and run resources. */
export function catalogRoutes(app: FastifyInstance, ctx: LineageContext): void {
  const g = ctx.graph;
  const namespace = (name: string) => {
    const ns = g.namespaces.get(name);
    if (!ns) throw new NamespaceNotFound(name);
    return {
      name: ns.name,
      createdAt: iso(ns.createdAt),
      updatedAt: iso(ns.updatedAt),
      ownerName: 'anonymous',
      description: null,
      isHidden: false,
    };
  };
  const findDataset = (ns: string, name: string): DatasetNode => {
    const d = g.dataset(ns, name);
    if (!d) throw new DatasetNotFound(name, ns);
    return d;
  };
  const findJob = (ns: string, name: string): JobNode => {
    const j = g.job(ns, name);
    if (!j) throw new JobNotFound(name, ns);
    return j;
  };
  const doc = (summary: string) => ({ config: { openapi: { summary, tags: ['Marquez'] } } });

  app.get('/api/v1/namespaces', doc('List namespaces'), async () => ({
    namespaces: [...g.namespaces.keys()].sort().map(namespace),
  }));
  app.get<{ Params: { ns: string } }>('/api/v1/namespaces/:ns', doc('A namespace'), async (req) =>
    namespace(req.params.ns),
  );

  app.get<{ Params: { ns: string } }>(
    '/api/v1/namespaces/:ns/datasets',
    doc('Datasets of a namespace'),
    async (req) => {
      namespace(req.params.ns);
      const { limit, offset } = parseQuery(PagingQuery, req.query);
      const all = [...g.datasets.values()].filter((d) => d.namespace === req.params.ns).sort(byName);
      return {
        datasets: all.slice(offset, offset + limit).map((d) => dataset(d, ctx.tags)),
        totalCount: all.length,
      };
    },
  );
  app.get<{ Params: { ns: string; name: string } }>(
    '/api/v1/namespaces/:ns/datasets/:name',
    doc('A dataset, with fields, facets and policy tags'),
    async (req) => {
      const d = findDataset(req.params.ns, req.params.name);
      const { asOf } = parseQuery(AsOfQuery, req.query);
      if (asOf === undefined) return dataset(d, ctx.tags);
      if (d.createdAt > asOf) throw new DatasetNotFound(d.name + at(asOf), d.namespace);
      // As it was: the version current then, with that version's facets and the schema in effect then.
      const r = await ctx.store.read<{ id: string; created_at: Date; facets: Record<string, unknown> }>(
        `select id, created_at, facets from lin_dataset_versions
         where dataset_id = $1 and created_at <= $2 order by created_at desc, id limit 1`,
        [d.id, new Date(asOf).toISOString()],
      );
      const v = r.rows[0];
      const modified = v ? v.created_at.toISOString() : iso(d.createdAt);
      return {
        ...datasetData(d, ctx.tags, asOf),
        updatedAt: modified,
        lastModifiedAt: modified,
        currentVersion: v?.id ?? null,
        facets: v?.facets ?? {},
        deleted: false,
        asOf: iso(asOf),
      };
    },
  );
  app.get<{ Params: { ns: string; name: string } }>(
    '/api/v1/namespaces/:ns/datasets/:name/versions',
    doc("A dataset's versions, newest first"),
    async (req) => {
      const d = findDataset(req.params.ns, req.params.name);
      const { limit, offset } = parseQuery(PagingQuery, req.query);
      const r = await ctx.store.read<{
        id: string;
        created_at: Date;
        run_id: string | null;
        fields: unknown[];
        facets: Record<string, unknown>;
        total: string;
      }>(
        `select id, created_at, run_id, fields, facets, count(*) over () as total from lin_dataset_versions
         where dataset_id = $1 order by created_at desc, id limit $2 offset $3`,
        [d.id, limit, offset],
      );
      const total = r.rows[0] ? Number(r.rows[0].total) : 0;
      return {
        versions: r.rows.map((v) => ({
          id: { namespace: d.namespace, name: d.name, version: v.id },
          type: d.namespace.startsWith('kafka://') ? 'STREAM' : 'DB_TABLE',
          name: d.name,
          physicalName: d.name,
          createdAt: v.created_at.toISOString(),
          version: v.id,
          namespace: d.namespace,
          sourceName: d.namespace,
          fields: v.fields,
          tags: [],
          lifecycleState: null,
          description: null,
          createdByRun: v.run_id ? { id: v.run_id } : null,
          facets: v.facets,
        })),
        totalCount: total,
      };
    },
  );

  app.get<{ Params: { ns: string } }>(
    '/api/v1/namespaces/:ns/jobs',
    doc('Jobs of a namespace'),
    async (req) => {
      namespace(req.params.ns);
      const { limit, offset } = parseQuery(PagingQuery, req.query);
      const all = [...g.jobs.values()].filter((j) => j.namespace === req.params.ns).sort(byName);
      const page = all.slice(offset, offset + limit);
      const latest = await latestRuns(ctx, page);
      return { jobs: page.map((j) => job(j, latest.get(j.id) ?? null)), totalCount: all.length };
    },
  );
  app.get<{ Params: { ns: string; name: string } }>(
    '/api/v1/namespaces/:ns/jobs/:name',
    doc('A job'),
    async (req) => {
      const j = findJob(req.params.ns, req.params.name);
      const { asOf } = parseQuery(AsOfQuery, req.query);
      if (asOf !== undefined && j.createdAt > asOf) throw new JobNotFound(j.name + at(asOf), j.namespace);
      const latest = await latestRuns(ctx, [j], asOf ?? null);
      if (asOf === undefined) return job(j, latest.get(j.id) ?? null);
      // As it was: inputs and outputs from the edges valid then, the latest run started by then, and the
      // version of the latest run with inputs or outputs by then.
      const versionRun = j.runs.findLast((r) => r.start <= asOf && r.io.size > 0);
      return {
        ...jobData(j, asOf, latest.get(j.id) ?? null),
        // The start of the latest run then (the last event by then is not kept per job).
        updatedAt: iso(Math.max(j.createdAt, versionRun?.start ?? -Infinity)),
        currentVersion: versionRun ? jobVersionId(j.id, versionRun.io) : null,
        facets: j.facets,
        asOf: iso(asOf),
      };
    },
  );

  // Job versions (Marquez's JobVersion): one per distinct set of inputs and outputs, derived at ingest.
  const datasetRef = (stored: string) => {
    const r = resolveNodeId(g, `dataset:${stored}`);
    if (r !== null && r !== 'malformed') return { namespace: r.node.namespace, name: r.node.name };
    const colon = stored.lastIndexOf(':');
    return { namespace: stored.slice(0, colon), name: stored.slice(colon + 1) };
  };
  const jobVersions = async (j: JobNode, where: string, params: unknown[]) => {
    const r = await ctx.store.read<{
      id: string;
      created_at: Date;
      inputs: string[];
      outputs: string[];
      total: string;
      latest_run_id: string | null;
    }>(
      `select v.id, v.created_at, v.inputs, v.outputs, count(*) over () as total,
         (select r.run_id from lin_runs r where r.job_version = v.id and r.kind = 'run'
          order by r.first_event_time desc limit 1) as latest_run_id
       from lin_job_versions v where v.job_id = $1 ${where}`,
      [j.id, ...params],
    );
    const runIds = r.rows.flatMap((v) => (v.latest_run_id ? [v.latest_run_id] : []));
    const runs = new Map<string, ReturnType<typeof run>>();
    if (runIds.length > 0) {
      const rr = await ctx.store.read<RunRow>(
        `select ${RUN_COLUMNS} from lin_runs r join lin_jobs j on j.id = r.job_id where r.run_id = any($1)`,
        [runIds],
      );
      for (const row of rr.rows) runs.set(row.run_id, run(row));
    }
    const { location } = jobData(j);
    return {
      total: r.rows[0] ? Number(r.rows[0].total) : 0,
      versions: r.rows.map((v) => ({
        id: { namespace: j.namespace, name: j.name, version: v.id },
        name: j.name,
        createdAt: v.created_at.toISOString(),
        version: v.id,
        namespace: j.namespace,
        location,
        context: {},
        inputs: v.inputs.map(datasetRef),
        outputs: v.outputs.map(datasetRef),
        latestRun: (v.latest_run_id && runs.get(v.latest_run_id)) || null,
      })),
    };
  };
  app.get<{ Params: { ns: string; name: string } }>(
    '/api/v1/namespaces/:ns/jobs/:name/versions',
    doc("A job's versions (distinct inputs and outputs), newest first, each with its latest run"),
    async (req) => {
      const j = findJob(req.params.ns, req.params.name);
      const { limit, offset } = parseQuery(PagingQuery, req.query);
      const r = await jobVersions(j, 'order by v.created_at desc, v.id limit $2 offset $3', [limit, offset]);
      return { versions: r.versions, totalCount: r.total };
    },
  );
  app.get<{ Params: { ns: string; name: string; version: string } }>(
    '/api/v1/namespaces/:ns/jobs/:name/versions/:version',
    doc('One version of a job'),
    async (req) => {
      const j = findJob(req.params.ns, req.params.name);
      const version = req.params.version;
      const valid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(version);
      const r = valid ? await jobVersions(j, 'and v.id = $2', [version]) : { versions: [] };
      const v = r.versions[0];
      if (!v) throw new JobVersionNotFound(version, j.name);
      return v;
    },
  );
  app.get<{ Params: { ns: string; name: string } }>(
    '/api/v1/namespaces/:ns/jobs/:name/runs',
    doc("A job's runs, newest first, with state, times, error message and facets"),
    async (req) => {
      const j = findJob(req.params.ns, req.params.name);
      const { limit, offset } = parseQuery(PagingQuery, req.query);
      const r = await ctx.store.read<RunRow & { total: string }>(
        `select ${RUN_COLUMNS}, count(*) over () as total from lin_runs r join lin_jobs j on j.id = r.job_id
         where r.job_id = $1 and r.kind = 'run' order by r.first_event_time desc, r.run_id limit $2 offset $3`,
        [j.id, limit, offset],
      );
      return { runs: r.rows.map((row) => run(row)), totalCount: r.rows[0] ? Number(r.rows[0].total) : 0 };
    },
  );

  const findRun = async (id: string) => {
    const r = await ctx.store.read<RunRow & { job_facets: Record<string, unknown> }>(
      `select ${RUN_COLUMNS}, j.facets as job_facets from lin_runs r join lin_jobs j on j.id = r.job_id
       where r.run_id = $1 and r.kind = 'run'`,
      [id],
    );
    const row = r.rows[0];
    if (!row) throw new RunNotFound(id);
    return row;
  };
  app.get<{ Params: { id: string } }>('/api/v1/runs/:id', doc('A run'), async (req) =>
    run(await findRun(req.params.id)),
  );
  app.get<{ Params: { id: string } }>('/api/v1/jobs/runs/:id', doc('A run (Marquez alias)'), async (req) =>
    run(await findRun(req.params.id)),
  );
  const FacetsQuery = z.object({ type: z.enum(['run', 'job']).default('run') });
  const runFacets = async (req: { params: { id: string }; query: unknown }) => {
    const { type } = parseQuery(FacetsQuery, req.query);
    const row = await findRun(req.params.id);
    return { runId: row.run_id, facets: type === 'job' ? row.job_facets : row.facets };
  };
  app.get<{ Params: { id: string }; Querystring: { type?: string } }>(
    '/api/v1/runs/:id/facets',
    doc("A run's facets (type=run, the default) or its job's facets (type=job)"),
    runFacets,
  );
  // The path Marquez's web UI calls.
  app.get<{ Params: { id: string }; Querystring: { type?: string } }>(
    '/api/v1/jobs/runs/:id/facets',
    doc("A run's facets or its job's facets (Marquez alias)"),
    runFacets,
  );
}
