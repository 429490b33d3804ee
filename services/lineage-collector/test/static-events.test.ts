import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  datasetEvent,
  facet,
  jobEvent,
  schemaFacet,
  startCollector,
  tagsFacet,
} from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

interface ErrorBody {
  code: string;
  pointer?: string;
  rule?: string;
}
interface Dataset {
  name: string;
  description: string | null;
  currentVersion: string | null;
  fields: Array<{ name: string; type: string }>;
  facets: Record<string, { fields?: unknown[] }>;
  policyTags: Array<{ key: string; value: string }>;
}
interface Ref {
  namespace: string;
  name: string;
}
interface Job {
  inputs: Ref[];
  outputs: Ref[];
  latestRun: unknown;
  facets: Record<string, { query?: string }>;
}
interface Graph {
  graph: Array<{
    id: string;
    inEdges: Array<{ origin: string; destination: string }>;
    outEdges: Array<{ origin: string; destination: string }>;
  }>;
}

const T = (m: number) => new Date(Date.UTC(2026, 4, 1, 0, m)).toISOString();
const OLTP = 'postgres://oltp:5432';
const TABLES = [
  'lin_events',
  'lin_datasets',
  'lin_dataset_versions',
  'lin_jobs',
  'lin_job_versions',
  'lin_runs',
  'lin_edges',
];
const dsPath = (ns: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/${encodeURIComponent(name)}`;
const jobPath = (ns: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/jobs/${encodeURIComponent(name)}`;
const byName = (refs: Ref[]) => refs.map((r) => r.name).sort();

describe('DatasetEvent and JobEvent ingest', () => {
  let c: Collector;
  const counts = () =>
    Promise.all(
      TABLES.map(async (t) =>
        Number((await c.ctx.sql<{ n: string }>(`select count(*) as n from ${t}`)).rows[0]?.n),
      ),
    );
  beforeAll(async () => {
    c = await startCollector('lineage-static-events');
  });
  afterAll(async () => c?.close());

  it('stores a DatasetEvent: the dataset and its facets are queryable; the same event twice changes nothing', async () => {
    const e = datasetEvent({
      time: T(1),
      dataset: {
        namespace: OLTP,
        name: 'shop.public.customer',
        facets: {
          schema: schemaFacet(['id', 'uuid'], ['email', 'text']),
          documentation: facet(
            { description: 'Customers of the shop' },
            'https://openlineage.io/spec/facets/1-1-0/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet',
          ),
          tags: tagsFacet({ key: 'pii', value: 'true', field: 'email' }),
        },
      },
    });
    const r = await c.post('/api/v1/lineage', e);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'success', duplicate: false });

    const d = await c.get<Dataset>(dsPath(OLTP, 'shop.public.customer'));
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ name: 'shop.public.customer', description: 'Customers of the shop' });
    expect(d.body.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'uuid'],
      ['email', 'text'],
    ]);
    expect(d.body.facets.schema?.fields).toHaveLength(2);
    expect(Object.keys(d.body.facets).sort()).toEqual(['documentation', 'schema', 'tags']);
    expect(d.body.policyTags).toEqual([expect.objectContaining({ key: 'pii', value: 'true' })]);
    // A version without a run (Marquez's createdByRun null), and the namespace.
    const versions = await c.get<{
      versions: Array<{ createdByRun: unknown; fields: unknown[] }>;
      totalCount: number;
    }>(`${dsPath(OLTP, 'shop.public.customer')}/versions`);
    expect(versions.body.totalCount).toBe(1);
    expect(versions.body.versions[0]).toMatchObject({ createdByRun: null });
    expect(versions.body.versions[0]?.fields).toHaveLength(2);
    expect(d.body.currentVersion).not.toBeNull();
    expect((await c.get(`/api/v1/namespaces/${encodeURIComponent(OLTP)}`)).status).toBe(200);
    const stored = await c.ctx.sql<{ kind: string }>('select kind from lin_events');
    expect(stored.rows.map((x) => x.kind)).toEqual(['dataset']);

    const before = await counts();
    const again = await c.post('/api/v1/lineage', e);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect((await c.post('/api/v1/lineage/batch', [e, e])).json()).toMatchObject({ status: 'success' });
    expect(await counts()).toEqual(before);
    expect((await c.get(dsPath(OLTP, 'shop.public.customer'))).body).toEqual(d.body);
  });

  it('stores a JobEvent: the job with its facets, and its input and output edges; the same event twice changes nothing', async () => {
    const e = jobEvent({
      time: T(2),
      job: {
        namespace: 'static',
        name: 'etl.load_orders',
        facets: {
          sql: facet(
            { query: 'insert into dw.orders select * from raw.orders' },
            'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet',
          ),
        },
      },
      inputs: [{ namespace: OLTP, name: 'raw.orders', facets: { schema: schemaFacet(['id', 'bigint']) } }],
      outputs: [{ namespace: OLTP, name: 'dw.orders' }],
    });
    const r = await c.post('/api/v1/lineage', e);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ duplicate: false });

    const job = await c.get<Job>(jobPath('static', 'etl.load_orders'));
    expect(job.status).toBe(200);
    expect(job.body.inputs).toEqual([{ namespace: OLTP, name: 'raw.orders' }]);
    expect(job.body.outputs).toEqual([{ namespace: OLTP, name: 'dw.orders' }]);
    expect(job.body.facets.sql?.query).toContain('insert into dw.orders');
    // A JobEvent is no run: none listed, no latest run.
    expect(job.body.latestRun).toBeNull();
    const runs = await c.get<{ totalCount: number }>(`${jobPath('static', 'etl.load_orders')}/runs`);
    expect(runs.body.totalCount).toBe(0);
    // Its datasets exist, the input with the schema the event carried.
    const input = await c.get<Dataset>(dsPath(OLTP, 'raw.orders'));
    expect(input.body.fields.map((f) => f.name)).toEqual(['id']);
    expect((await c.get(dsPath(OLTP, 'dw.orders'))).status).toBe(200);

    const lineage = await c.get<Graph>(
      `/api/v1/lineage?nodeId=${encodeURIComponent('job:static:etl.load_orders')}&depth=1`,
    );
    expect(lineage.status).toBe(200);
    expect(lineage.body.graph.map((n) => n.id).sort()).toEqual([
      `dataset:${OLTP}:dw.orders`,
      `dataset:${OLTP}:raw.orders`,
      'job:static:etl.load_orders',
    ]);
    const node = lineage.body.graph.find((n) => n.id === 'job:static:etl.load_orders')!;
    expect(node.inEdges).toEqual([
      { origin: `dataset:${OLTP}:raw.orders`, destination: 'job:static:etl.load_orders' },
    ]);
    expect(node.outEdges).toEqual([
      { origin: 'job:static:etl.load_orders', destination: `dataset:${OLTP}:dw.orders` },
    ]);

    const before = await counts();
    const again = await c.post('/api/v1/lineage', e);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect((await c.post('/api/v1/lineage/batch', [e])).json()).toMatchObject({ status: 'success' });
    expect(await counts()).toEqual(before);
    expect((await c.get(jobPath('static', 'etl.load_orders'))).body).toEqual(job.body);
  });

  it('refuses an invalid DatasetEvent or JobEvent with 400 and the JSON pointer, storing nothing', async () => {
    const before = await counts();
    const noName = datasetEvent({ time: T(3), dataset: { namespace: OLTP, name: 'x' } });
    delete (noName.dataset as Record<string, unknown>).name;
    const r1 = await c.post('/api/v1/lineage', noName);
    expect(r1.statusCode).toBe(400);
    expect(r1.json<ErrorBody>()).toMatchObject({
      code: 'LIN_INVALID_EVENT',
      pointer: '/dataset/name',
      rule: 'required',
    });

    const badSchema = datasetEvent({
      time: T(3),
      dataset: {
        namespace: OLTP,
        name: 'shop.public.customer',
        facets: {
          schema: facet(
            { fields: 'id, email' },
            'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
          ),
        },
      },
    });
    const r2 = await c.post('/api/v1/lineage', badSchema);
    expect(r2.statusCode).toBe(400);
    expect(r2.json<ErrorBody>()).toMatchObject({
      code: 'LIN_INVALID_EVENT',
      pointer: '/dataset/facets/schema/fields',
      rule: 'type',
    });

    const noNamespace = jobEvent({ time: T(3), job: { namespace: 'static', name: 'broken' } });
    delete (noNamespace.job as Record<string, unknown>).namespace;
    const r3 = await c.post('/api/v1/lineage', noNamespace);
    expect(r3.statusCode).toBe(400);
    expect(r3.json<ErrorBody>()).toMatchObject({
      code: 'LIN_INVALID_EVENT',
      pointer: '/job/namespace',
      rule: 'required',
    });

    const badOutput = jobEvent({
      time: T(3),
      job: { namespace: 'static', name: 'broken' },
      outputs: [{ namespace: OLTP, name: 'dw.broken' }],
    });
    delete ((badOutput.outputs as Array<Record<string, unknown>>)[0] as Record<string, unknown>).namespace;
    const r4 = await c.post('/api/v1/lineage', badOutput);
    expect(r4.statusCode).toBe(400);
    expect(r4.json<ErrorBody>()).toMatchObject({ pointer: '/outputs/0/namespace', rule: 'required' });

    expect(await counts()).toEqual(before);
    expect((await c.get(jobPath('static', 'broken'))).status).toBe(404);
  });

  it("keeps two jobs' JobEvents with the same eventTime apart, also after a restart", async () => {
    const copy = (job: string, m: number) =>
      jobEvent({
        time: T(m),
        job: { namespace: 'same-time', name: job },
        inputs: [{ namespace: 'same-time', name: `${job}.in` }],
        outputs: [{ namespace: 'same-time', name: `${job}.out` }],
      });
    // Two requests (two batches) at one time, and one batch holding two jobs at another.
    expect((await c.post('/api/v1/lineage', copy('a', 10))).statusCode).toBe(200);
    expect((await c.post('/api/v1/lineage', copy('b', 10))).statusCode).toBe(200);
    const batch = await c.post('/api/v1/lineage/batch', [copy('c', 11), copy('d', 11)]);
    expect(batch.json()).toMatchObject({ status: 'success', summary: { successful: 2 } });

    const check = async () => {
      for (const job of ['a', 'b', 'c', 'd']) {
        const j = (await c.get<Job>(jobPath('same-time', job))).body;
        expect(byName(j.inputs), job).toEqual([`${job}.in`]);
        expect(byName(j.outputs), job).toEqual([`${job}.out`]);
        const g = await c.get<Graph>(
          `/api/v1/lineage?nodeId=${encodeURIComponent(`job:same-time:${job}`)}&depth=1`,
        );
        expect(g.body.graph.map((n) => n.id).sort(), job).toEqual([
          `dataset:same-time:${job}.in`,
          `dataset:same-time:${job}.out`,
          `job:same-time:${job}`,
        ]);
      }
    };
    await check();
    await c.rebuild();
    await check();
  });
});
