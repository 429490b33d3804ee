import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facet, runEvent, startCollector } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

const at = (m: number) => new Date(Date.UTC(2026, 5, 1, 0, m)).toISOString();
const NS = 'postgres://warehouse:5432';
const error = (message: string) =>
  facet(
    { message, programmingLanguage: 'SQL' },
    'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  );

interface ListedRun {
  id: string;
  state: string;
  endedAt: string | null;
  errorMessage: string | null;
  job: { namespace: string; name: string };
  reads?: boolean;
  writes?: boolean;
}
interface RunList {
  runs: ListedRun[];
  totalCount?: number;
}
interface ErrorBody {
  code: string;
  pointer?: string;
  message: string;
}

describe('failed runs across jobs, from the runs table (GET /api/v1/runs)', () => {
  let c: Collector;
  const failed = crypto.randomUUID();
  const aborted = crypto.randomUUID();
  const recovered = crypto.randomUUID();

  beforeAll(async () => {
    c = await startCollector('lineage-failed-runs');
    const job = (name: string) => ({ namespace: 'etl', name });
    const events = [
      runEvent({ eventType: 'START', runId: failed, time: at(1), job: job('load_orders') }),
      runEvent({
        eventType: 'FAIL',
        runId: failed,
        time: at(2),
        job: job('load_orders'),
        runFacets: { errorMessage: error('relation "raw.orders" does not exist') },
      }),
      runEvent({ eventType: 'ABORT', runId: aborted, time: at(3), job: job('load_fx') }),
      // Failed, then completed on a retry under the same run id: its state is COMPLETED, not a failure.
      runEvent({ eventType: 'FAIL', runId: recovered, time: at(4), job: job('load_fx') }),
      runEvent({ eventType: 'COMPLETE', runId: recovered, time: at(5), job: job('load_fx') }),
    ];
    // 1,200 newer events: the UI used to look for failures among the newest 1,000 raw events only.
    for (let i = 0; i < 1_200; i++) {
      events.push(runEvent({ time: at(10 + i / 100), job: job(`busy_${i % 7}`) }));
    }
    const r = await c.post('/api/v1/lineage/batch', events);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<{ summary: { successful: number } }>().summary.successful).toBe(events.length);
  });
  afterAll(async () => {
    await c?.close();
  });

  it('lists every failure, newest first, whatever came after it', async () => {
    const events = await c.get<{ totalCount: number }>('/api/v1/events/lineage?limit=1');
    expect(events.body.totalCount).toBe(1_205);
    const r = await c.get<RunList>('/api/v1/runs');
    expect(r.status).toBe(200);
    expect(r.body.totalCount).toBe(2);
    expect(r.body.runs.map((x) => [x.id, x.state, x.job.name, x.endedAt])).toEqual([
      [aborted, 'ABORTED', 'load_fx', at(3)],
      [failed, 'FAILED', 'load_orders', at(2)],
    ]);
    expect(r.body.runs[1]!.errorMessage).toBe('relation "raw.orders" does not exist');
    expect(r.body.runs[1]!.job.namespace).toBe('etl');
  });

  it('pages, and filters by state (FAIL and ABORT read as FAILED and ABORTED)', async () => {
    const second = await c.get<RunList>('/api/v1/runs?limit=1&offset=1');
    expect(second.body.runs.map((x) => x.id)).toEqual([failed]);
    expect(second.body.totalCount).toBe(2);
    expect((await c.get<RunList>('/api/v1/runs?offset=2')).body.runs).toEqual([]);
    for (const state of ['FAILED', 'fail']) {
      const only = await c.get<RunList>(`/api/v1/runs?state=${state}`);
      expect(only.body.runs.map((x) => x.id)).toEqual([failed]);
      expect(only.body.totalCount).toBe(1);
    }
    const both = await c.get<RunList>('/api/v1/runs?state=ABORT,FAILED');
    expect(both.body.totalCount).toBe(2);
  });

  it('refuses other states and bad paging with LIN_BAD_QUERY', async () => {
    const other = await c.get<ErrorBody>('/api/v1/runs?state=COMPLETED');
    expect(other.status).toBe(400);
    expect(other.body.code).toBe('LIN_BAD_QUERY');
    expect(other.body.pointer).toBe('/state');
    expect(other.body.message).toContain("'COMPLETED' is not FAILED or ABORTED");
    const empty = await c.get<ErrorBody>('/api/v1/runs?state=');
    expect([empty.status, empty.body.pointer]).toEqual([400, '/state']);
    const limit = await c.get<ErrorBody>('/api/v1/runs?limit=0');
    expect([limit.status, limit.body.pointer]).toEqual([400, '/limit']);
  });

  it('answers the same after a restart (the runs table, not memory)', async () => {
    await c.rebuild();
    const r = await c.get<RunList>('/api/v1/runs');
    expect(r.body.runs.map((x) => x.id)).toEqual([aborted, failed]);
  });
});

describe("a dataset's latest runs (GET /api/v1/namespaces/{ns}/datasets/{name}/runs)", () => {
  let c: Collector;
  const w1 = crypto.randomUUID();
  const w2 = crypto.randomUUID();
  const r1 = crypto.randomUUID();
  const r2 = crypto.randomUUID();
  const orders = { namespace: NS, name: 'dw.orders' };
  const other = { namespace: NS, name: 'dw.other' };
  const writer = { namespace: 'etl', name: 'build_orders' };
  const reader = { namespace: 'bi', name: 'orders_report' };
  const url = (q = '') => `/api/v1/namespaces/${encodeURIComponent(NS)}/datasets/dw.orders/runs${q}`;

  beforeAll(async () => {
    c = await startCollector('lineage-dataset-runs');
    const r = await c.post('/api/v1/lineage/batch', [
      runEvent({ runId: w1, time: at(1), job: writer, outputs: [orders] }),
      runEvent({
        eventType: 'FAIL',
        runId: r1,
        time: at(2),
        job: reader,
        inputs: [orders],
        runFacets: { errorMessage: error('division by zero') },
      }),
      // The writer's next run writes another table: not a run of dw.orders.
      runEvent({ runId: w2, time: at(3), job: writer, outputs: [other] }),
      runEvent({ eventType: 'START', runId: r2, time: at(4), job: reader, inputs: [orders] }),
    ]);
    expect(r.statusCode, r.body).toBe(200);
  });
  afterAll(async () => {
    await c?.close();
  });

  it('lists the runs that read or wrote it, newest first, with state, times, job and direction', async () => {
    const r = await c.get<RunList>(url());
    expect(r.status).toBe(200);
    expect(r.body.runs.map((x) => [x.id, x.state, x.job.name, x.reads, x.writes])).toEqual([
      [r2, 'RUNNING', 'orders_report', true, false],
      [r1, 'FAILED', 'orders_report', true, false],
      [w1, 'COMPLETED', 'build_orders', false, true],
    ]);
    expect(r.body.runs[1]!.errorMessage).toBe('division by zero');
    expect(r.body.runs[1]!.endedAt).toBe(at(2));
  });

  it('pages, and keeps to the runs started by a point in time', async () => {
    expect((await c.get<RunList>(url('?limit=1&offset=1'))).body.runs.map((x) => x.id)).toEqual([r1]);
    const asOf = encodeURIComponent(new Date(Date.parse(at(2)) + 30_000).toISOString());
    expect((await c.get<RunList>(url(`?asOf=${asOf}`))).body.runs.map((x) => x.id)).toEqual([r1, w1]);
  });

  it('is 404 for an unknown dataset and 400 for a bad limit', async () => {
    const missing = await c.get<ErrorBody>(
      `/api/v1/namespaces/${encodeURIComponent(NS)}/datasets/dw.nope/runs`,
    );
    expect([missing.status, missing.body.code]).toEqual([404, 'LIN_DATASET_NOT_FOUND']);
    const bad = await c.get<ErrorBody>(url('?limit=500'));
    expect([bad.status, bad.body.code, bad.body.pointer]).toEqual([400, 'LIN_BAD_QUERY', '/limit']);
  });

  it('answers the same after a restart (runs rebuilt from the tables)', async () => {
    await c.rebuild();
    expect((await c.get<RunList>(url())).body.runs.map((x) => x.id)).toEqual([r2, r1, w1]);
  });
});
