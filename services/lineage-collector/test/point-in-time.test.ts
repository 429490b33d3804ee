import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvent, schemaFacet, startCollector } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

interface Node {
  id: string;
  type: string;
  data: { fields?: Array<{ name: string }>; inputs?: unknown[]; outputs?: Array<{ name: string }> };
  inEdges: Array<{ origin: string; destination: string }>;
  outEdges: Array<{ origin: string; destination: string }>;
}
interface Graph {
  graph: Node[];
  truncated: boolean;
}

const at = (h: number) => new Date(Date.UTC(2026, 2, 1, h)).toISOString();
const ns = 'postgres://warehouse:5432';
const d = (name: string, facets?: Record<string, unknown>) => ({
  namespace: ns,
  name,
  ...(facets ? { facets } : {}),
});
const job = { namespace: 'etl', name: 'load_orders' };
const lineageUrl = (node: string, q = '') => `/api/v1/lineage?nodeId=${encodeURIComponent(node)}${q}`;
const ids = (g: Graph) => g.graph.map((n) => n.id).sort();

describe('point-in-time lineage', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await startCollector('lineage-asof');
    // Run 2 (at 12:00) arrives before run 1 (at 10:00): the job switched its output from orders_v1 to orders_v2
    // and added a column. Run 3 (at 14:00) writes orders_v2 again.
    const run2 = crypto.randomUUID();
    const run1 = crypto.randomUUID();
    const post = (e: Record<string, unknown>) => c.post('/api/v1/lineage', e);
    for (const e of [
      runEvent({
        eventType: 'COMPLETE',
        runId: run2,
        job,
        time: at(12),
        inputs: [d('raw.orders')],
        outputs: [
          d('dw.orders_v2', {
            schema: schemaFacet(['id', 'int'], ['total', 'decimal'], ['currency', 'text']),
          }),
        ],
      }),
      runEvent({ eventType: 'START', runId: run2, job, time: at(11) }),
      runEvent({
        eventType: 'COMPLETE',
        runId: run1,
        job,
        time: at(10),
        inputs: [d('raw.orders')],
        outputs: [d('dw.orders_v1', { schema: schemaFacet(['id', 'int'], ['total', 'decimal']) })],
      }),
      runEvent({ eventType: 'START', runId: run1, job, time: at(9) }),
      runEvent({
        eventType: 'COMPLETE',
        job,
        time: at(14),
        inputs: [d('raw.orders')],
        outputs: [
          d('dw.orders_v2', {
            schema: schemaFacet(
              ['id', 'int'],
              ['total', 'decimal'],
              ['currency', 'text'],
              ['tax', 'decimal'],
            ),
          }),
        ],
      }),
    ]) {
      expect((await post(e)).statusCode).toBe(200);
    }
  });
  afterAll(async () => c?.close());

  it('answers the graph as it was then, whatever order the events came in', async () => {
    const node = `dataset:${ns}:raw.orders`;
    const now = (await c.get<Graph>(lineageUrl(node, '&depth=1'))).body;
    expect(ids(now)).toEqual([
      `dataset:${ns}:dw.orders_v2`,
      `dataset:${ns}:raw.orders`,
      'job:etl:load_orders',
    ]);
    const then = (await c.get<Graph>(lineageUrl(node, `&depth=1&asOf=${encodeURIComponent(at(10))}`))).body;
    expect(ids(then)).toEqual([
      `dataset:${ns}:dw.orders_v1`,
      `dataset:${ns}:raw.orders`,
      'job:etl:load_orders',
    ]);
    const jobNode = then.graph.find((n) => n.id === 'job:etl:load_orders')!;
    expect(jobNode.data.outputs).toEqual([{ namespace: ns, name: 'dw.orders_v1' }]);
    expect(jobNode.outEdges).toEqual([
      { origin: 'job:etl:load_orders', destination: `dataset:${ns}:dw.orders_v1` },
    ]);
    // At 11:30 run 2 had started (its first event is START at 11:00): v2 is the output.
    const mid = (
      await c.get<Graph>(lineageUrl(node, `&depth=1&asOf=${encodeURIComponent('2026-03-01T11:30:00Z')}`))
    ).body;
    expect(ids(mid)).toContain(`dataset:${ns}:dw.orders_v2`);
    expect(ids(mid)).not.toContain(`dataset:${ns}:dw.orders_v1`);
    // Before anything existed.
    const before = await c.get<{ code: string }>(lineageUrl(node, `&asOf=${encodeURIComponent(at(1))}`));
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('LIN_NODE_NOT_FOUND');
  });

  it('stores the validity intervals on the edges', async () => {
    const rows = await c.ctx.sql<{
      name: string;
      direction: string;
      valid_from: Date;
      valid_to: Date | null;
    }>(
      `select d.name, e.direction, e.valid_from, e.valid_to from lin_edges e join lin_datasets d on d.id = e.dataset_id
       order by d.name, e.valid_from`,
    );
    expect(
      rows.rows.map((r) => [
        r.name,
        r.direction,
        r.valid_from.toISOString(),
        r.valid_to?.toISOString() ?? null,
      ]),
    ).toEqual([
      ['dw.orders_v1', 'out', at(9), at(11)],
      ['dw.orders_v2', 'out', at(11), null],
      ['raw.orders', 'in', at(9), null],
    ]);
  });

  it('gives the schema of the dataset as it was then', async () => {
    const node = `dataset:${ns}:dw.orders_v2`;
    const fields = async (asOf: string) =>
      (await c.get<Graph>(lineageUrl(node, `&depth=0&asOf=${encodeURIComponent(asOf)}`))).body.graph
        .find((n) => n.id === node)!
        .data.fields!.map((f) => f.name);
    expect(await fields(at(13))).toEqual(['id', 'total', 'currency']);
    expect(await fields(at(15))).toEqual(['id', 'total', 'currency', 'tax']);
    const versions = await c.get<{ versions: Array<{ fields: unknown[] }>; totalCount: number }>(
      `/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/dw.orders_v2/versions`,
    );
    expect(versions.body.totalCount).toBe(2);
    expect(versions.body.versions[0]?.fields).toHaveLength(4);
  });

  it('survives a restart', async () => {
    const url = lineageUrl(`dataset:${ns}:raw.orders`, `&depth=1&asOf=${encodeURIComponent(at(10))}`);
    const before = (await c.get<Graph>(url)).body;
    await c.rebuild();
    expect((await c.get<Graph>(url)).body).toEqual(before);
  });

  it('gives the schema as it was then of a dataset that is only ever read', async () => {
    const reader = { namespace: 'etl', name: 'read_customers' };
    const customers = (fields: Array<[string, string]>) =>
      d('raw.customers', { schema: schemaFacet(...fields) });
    for (const [h, fields] of [
      [
        16,
        [
          ['id', 'int'],
          ['email', 'text'],
          ['country', 'text'],
        ],
      ],
      [
        15,
        [
          ['id', 'int'],
          ['email', 'text'],
        ],
      ],
      [
        17,
        [
          ['id', 'int'],
          ['email', 'text'],
          ['country', 'text'],
        ],
      ],
    ] as Array<[number, Array<[string, string]>]>) {
      const e = runEvent({
        job: reader,
        time: at(h),
        inputs: [customers(fields)],
        outputs: [d('dw.customers')],
      });
      expect((await c.post('/api/v1/lineage', e)).statusCode).toBe(200);
    }
    const node = `dataset:${ns}:raw.customers`;
    const fields = async (asOf: string) =>
      (await c.get<Graph>(lineageUrl(node, `&depth=0&asOf=${encodeURIComponent(asOf)}`))).body.graph
        .find((n) => n.id === node)!
        .data.fields!.map((f) => f.name);
    expect(await fields(at(15))).toEqual(['id', 'email']);
    expect(await fields('2026-03-01T16:30:00Z')).toEqual(['id', 'email', 'country']);
    // The 17:00 read saw the schema in effect already: no new version. Versions of a read are no run's output.
    const versions = await c.get<{
      versions: Array<{ fields: unknown[]; createdByRun: unknown }>;
      totalCount: number;
    }>(`/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/raw.customers/versions`);
    expect(versions.body.totalCount).toBe(2);
    expect(versions.body.versions.map((v) => [v.fields.length, v.createdByRun])).toEqual([
      [3, null],
      [2, null],
    ]);
    await c.rebuild();
    expect(await fields(at(15))).toEqual(['id', 'email']);
    expect(await fields(at(17))).toEqual(['id', 'email', 'country']);
  });
});

describe('lineage depth, direction and node cap', () => {
  let c: Collector;
  // a -> j1 -> b -> j2 -> c -> j3 -> e, and x -> j2
  beforeAll(async () => {
    c = await startCollector('lineage-depth');
    const hop = (name: string, inputs: string[], output: string, h: number) =>
      c.post(
        '/api/v1/lineage',
        runEvent({
          job: { namespace: 'chain', name },
          time: at(h),
          inputs: inputs.map((i) => d(i)),
          outputs: [d(output)],
        }),
      );
    await hop('j1', ['a'], 'b', 1);
    await hop('j2', ['b', 'x'], 'c', 2);
    await hop('j3', ['c'], 'e', 3);
  });
  afterAll(async () => c?.close());

  it('walks upstream and downstream separately, counting jobs', async () => {
    const b = `dataset:${ns}:b`;
    const down1 = (await c.get<Graph>(lineageUrl(b, '&upstreamDepth=0&downstreamDepth=1'))).body;
    expect(ids(down1)).toEqual([`dataset:${ns}:b`, `dataset:${ns}:c`, 'job:chain:j2']);
    const up1 = (await c.get<Graph>(lineageUrl(b, '&upstreamDepth=1&downstreamDepth=0'))).body;
    expect(ids(up1)).toEqual([`dataset:${ns}:a`, `dataset:${ns}:b`, 'job:chain:j1']);
    const all = (await c.get<Graph>(lineageUrl(b, '&depth=5'))).body;
    // a b c e, j1 j2 j3: downstream follows outputs only, so x (another input of j2) is not part of it.
    expect(ids(all)).toEqual([
      `dataset:${ns}:a`,
      `dataset:${ns}:b`,
      `dataset:${ns}:c`,
      `dataset:${ns}:e`,
      'job:chain:j1',
      'job:chain:j2',
      'job:chain:j3',
    ]);
    expect(all.truncated).toBe(false);
    const j2 = all.graph.find((n) => n.id === 'job:chain:j2')!;
    expect(j2.inEdges).toEqual([{ origin: `dataset:${ns}:b`, destination: 'job:chain:j2' }]);
    const fromX = (await c.get<Graph>(lineageUrl(`dataset:${ns}:x`, '&depth=1'))).body;
    expect(ids(fromX)).toEqual([`dataset:${ns}:c`, `dataset:${ns}:x`, 'job:chain:j2']);
    expect(j2.outEdges).toEqual([{ origin: 'job:chain:j2', destination: `dataset:${ns}:c` }]);
  });

  it('caps the nodes and says so', async () => {
    const capped = (await c.get<Graph>(lineageUrl(`dataset:${ns}:a`, '&depth=10&maxNodes=3'))).body;
    expect(capped.graph).toHaveLength(3);
    expect(capped.truncated).toBe(true);
  });

  it('refuses bad parameters with a coded 400 and unknown nodes with 404', async () => {
    const bad = await c.get<{ code: string; pointer: string }>(lineageUrl(`dataset:${ns}:a`, '&depth=-1'));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'LIN_BAD_QUERY', pointer: '/depth' });
    const asOf = await c.get<{ code: string }>(lineageUrl(`dataset:${ns}:a`, '&asOf=whenever'));
    expect(asOf.body.code).toBe('LIN_BAD_QUERY');
    expect((await c.get<{ code: string }>(lineageUrl('table:x'))).body.code).toBe('LIN_BAD_NODE_ID');
    const missing = await c.get<{ code: string }>(lineageUrl(`dataset:${ns}:nope`));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('LIN_NODE_NOT_FOUND');
    expect((await c.get<{ code: string }>('/api/v1/namespaces/nope/datasets')).body.code).toBe(
      'LIN_NAMESPACE_NOT_FOUND',
    );
    expect((await c.get<{ code: string }>('/api/v1/runs/nope')).body.code).toBe('LIN_RUN_NOT_FOUND');
  });

  it('searches datasets, jobs and fields', async () => {
    const r = await c.get<{
      totalCount: number;
      results: Array<{ type: string; name: string; nodeId: string }>;
    }>('/api/v1/search?q=j2');
    expect(r.body.results).toEqual([
      expect.objectContaining({ type: 'JOB', name: 'j2', nodeId: 'job:chain:j2' }),
    ]);
    const ds = await c.get<{ results: Array<{ type: string }> }>('/api/v1/search?q=chain&filter=DATASET');
    expect(ds.body.results).toEqual([]);
  });
});
