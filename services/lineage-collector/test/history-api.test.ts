import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facet, runEvent, schemaFacet, startCollector } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

const at = (h: number) => new Date(Date.UTC(2026, 4, 1, h)).toISOString();
const ns = 'postgres://warehouse:5432';
const job = { namespace: 'etl', name: 'build_orders' };
const q = (asOf: number) => `asOf=${encodeURIComponent(at(asOf))}`;
const columnLineage = (fields: Record<string, Array<[string, string]>>) =>
  facet(
    {
      fields: Object.fromEntries(
        Object.entries(fields).map(([field, inputs]) => [
          field,
          { inputFields: inputs.map(([name, f]) => ({ namespace: ns, name, field: f })) },
        ]),
      ),
    },
    'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json',
  );

interface Dataset {
  currentVersion: string | null;
  fields: Array<{ name: string }>;
  facets: Record<string, unknown>;
}
interface Job {
  currentVersion: string | null;
  inputs: Array<{ name: string }>;
  outputs: Array<{ name: string }>;
  latestRun: { id: string } | null;
}
interface JobVersion {
  id: { namespace: string; name: string; version: string };
  version: string;
  name: string;
  namespace: string;
  createdAt: string;
  inputs: Array<{ namespace: string; name: string }>;
  outputs: Array<{ namespace: string; name: string }>;
  latestRun: { id: string; jobVersion: { version: string } } | null;
}
interface FieldGraph {
  graph: Array<{ id: string; data: { inputFields: Array<{ dataset: string; field: string }> } }>;
}

/**
 * One job over a day: at 10:00 it reads raw.orders and writes dw.orders (id, total; total from
 * raw.orders.amount); at 14:00 it also reads raw.fx and writes dw.orders with a currency column (total
 * from amount and rate). Events of the second run arrive first.
 */
describe('point in time for details and column lineage; job versions', () => {
  let c: Collector;
  const run1 = crypto.randomUUID();
  const run2 = crypto.randomUUID();
  const run3 = crypto.randomUUID();
  const orders = (h: number) => `/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/dw.orders?${q(h)}`;
  const jobUrl = `/api/v1/namespaces/etl/jobs/build_orders`;
  beforeAll(async () => {
    c = await startCollector('lineage-history-api');
    const events = [
      runEvent({
        runId: run2,
        job,
        time: at(14),
        inputs: [
          { namespace: ns, name: 'raw.orders' },
          { namespace: ns, name: 'raw.fx' },
        ],
        outputs: [
          {
            namespace: ns,
            name: 'dw.orders',
            facets: {
              schema: schemaFacet(['id', 'int'], ['total', 'decimal'], ['currency', 'text']),
              columnLineage: columnLineage({
                total: [
                  ['raw.orders', 'amount'],
                  ['raw.fx', 'rate'],
                ],
                currency: [['raw.fx', 'currency']],
              }),
            },
          },
        ],
      }),
      runEvent({
        runId: run1,
        job,
        time: at(10),
        inputs: [{ namespace: ns, name: 'raw.orders' }],
        outputs: [
          {
            namespace: ns,
            name: 'dw.orders',
            facets: {
              schema: schemaFacet(['id', 'int'], ['total', 'decimal']),
              columnLineage: columnLineage({ total: [['raw.orders', 'amount']] }),
            },
          },
        ],
      }),
      // A third run like the first, at 16:00: the first version again.
      runEvent({
        runId: run3,
        job,
        time: at(16),
        inputs: [{ namespace: ns, name: 'raw.orders' }],
        outputs: [{ namespace: ns, name: 'dw.orders' }],
      }),
    ];
    for (const e of events) expect((await c.post('/api/v1/lineage', e)).statusCode).toBe(200);
  });
  afterAll(async () => c?.close());

  it('gives a dataset as it was: the version current then, its schema and facets', async () => {
    const then = await c.get<Dataset>(orders(12));
    expect(then.status).toBe(200);
    expect(then.body.fields.map((f) => f.name)).toEqual(['id', 'total']);
    const later = await c.get<Dataset>(orders(15));
    expect(later.body.fields.map((f) => f.name)).toEqual(['id', 'total', 'currency']);
    expect(then.body.currentVersion).not.toBe(later.body.currentVersion);
    const versions = await c.get<{ versions: Array<{ version: string; createdByRun: { id: string } }> }>(
      `/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/dw.orders/versions`,
    );
    const byRun = new Map(versions.body.versions.map((v) => [v.createdByRun.id, v.version]));
    expect(then.body.currentVersion).toBe(byRun.get(run1));
    expect(later.body.currentVersion).toBe(byRun.get(run2));
    expect(Object.keys(then.body.facets.columnLineage as object)).toContain('fields');
    expect(
      (await c.get<Dataset>(`/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/dw.orders`)).body
        .currentVersion,
    ).toBe(byRun.get(run3));
    const before = await c.get<{ code: string }>(orders(9));
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('LIN_DATASET_NOT_FOUND');
  });

  it('gives a job as it was: its inputs, outputs, version and latest run then', async () => {
    const then = (await c.get<Job>(`${jobUrl}?${q(12)}`)).body;
    expect(then.inputs.map((d) => d.name)).toEqual(['raw.orders']);
    expect(then.latestRun?.id).toBe(run1);
    const mid = (await c.get<Job>(`${jobUrl}?${q(15)}`)).body;
    expect(mid.inputs.map((d) => d.name).sort()).toEqual(['raw.fx', 'raw.orders']);
    expect(mid.latestRun?.id).toBe(run2);
    expect(mid.currentVersion).not.toBe(then.currentVersion);
    const now = (await c.get<Job>(jobUrl)).body;
    expect(now.latestRun?.id).toBe(run3);
    expect(now.currentVersion).toBe(then.currentVersion);
    expect((await c.get(`${jobUrl}?${q(8)}`)).status).toBe(404);
    expect((await c.get(`${jobUrl}?asOf=yesterday`)).status).toBe(400);
  });

  it('gives column lineage as it was, also after a restart', async () => {
    const url = (h?: number) =>
      `/api/v1/column-lineage?nodeId=${encodeURIComponent(`datasetField:${ns}:dw.orders:total`)}${h === undefined ? '' : `&${q(h)}`}`;
    const inputsOf = (g: FieldGraph) =>
      g.graph
        .find((n) => n.id === `datasetField:${ns}:dw.orders:total`)!
        .data.inputFields.map((i) => `${i.dataset}.${i.field}`)
        .sort();
    const answers = async () => ({
      then: inputsOf((await c.get<FieldGraph>(url(12))).body),
      later: inputsOf((await c.get<FieldGraph>(url(15))).body),
      now: inputsOf((await c.get<FieldGraph>(url())).body),
    });
    const before = await answers();
    expect(before).toEqual({
      then: ['raw.orders.amount'],
      later: ['raw.fx.rate', 'raw.orders.amount'],
      // The 16:00 run sent no column lineage: the 14:00 facet still holds.
      now: ['raw.fx.rate', 'raw.orders.amount'],
    });
    const dataset = await c.get<FieldGraph>(
      `/api/v1/column-lineage?nodeId=${encodeURIComponent(`dataset:${ns}:dw.orders`)}&${q(12)}`,
    );
    expect(dataset.body.graph.map((n) => n.id)).not.toContain(`datasetField:${ns}:dw.orders:currency`);
    await c.rebuild();
    expect(await answers()).toEqual(before);
  });

  it("lists the job's versions with Marquez's shape, newest first, each with its latest run", async () => {
    const list = await c.get<{ versions: JobVersion[]; totalCount: number }>(`${jobUrl}/versions`);
    expect(list.status).toBe(200);
    expect(list.body.totalCount).toBe(2);
    const [newest, oldest] = list.body.versions as [JobVersion, JobVersion];
    expect(newest).toMatchObject({
      id: { namespace: 'etl', name: 'build_orders', version: newest.version },
      name: 'build_orders',
      namespace: 'etl',
      createdAt: at(14),
      context: {},
      outputs: [{ namespace: ns, name: 'dw.orders' }],
      latestRun: { id: run2, jobVersion: { version: newest.version } },
    });
    expect(newest.inputs.map((d) => d.name).sort()).toEqual(['raw.fx', 'raw.orders']);
    // The first version was seen again at 16:00: its latest run is run 3, its creation still 10:00.
    expect(oldest).toMatchObject({ createdAt: at(10), latestRun: { id: run3 } });
    expect(oldest.inputs).toEqual([{ namespace: ns, name: 'raw.orders' }]);
    const job = (await c.get<Job>(jobUrl)).body;
    expect(job.currentVersion).toBe(oldest.version);

    const one = await c.get<JobVersion>(`${jobUrl}/versions/${oldest.version}`);
    expect(one.body).toEqual(oldest);
    const paged = await c.get<{ versions: JobVersion[]; totalCount: number }>(
      `${jobUrl}/versions?limit=1&offset=1`,
    );
    expect(paged.body).toEqual({ versions: [oldest], totalCount: 2 });
    for (const bad of [crypto.randomUUID(), 'not-a-version']) {
      const r = await c.get<{ code: string }>(`${jobUrl}/versions/${bad}`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('LIN_JOB_VERSION_NOT_FOUND');
    }
  });
});
