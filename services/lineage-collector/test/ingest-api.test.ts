import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, bearer, facet, runEvent, startCollector, ADMIN } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

interface ErrorBody {
  code: string;
  pointer?: string;
  rule?: string;
  issues?: Array<{ pointer: string; rule: string; message: string }>;
}
interface RunBody {
  id: string;
  state: string;
  startedAt: string | null;
  endedAt: string | null;
  facets: Record<string, unknown>;
}

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const count = async (c: Collector, table: string) =>
  Number((await c.ctx.sql<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]?.n);

describe('ingest API', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await startCollector('lineage-ingest');
  });
  afterAll(async () => c?.close());

  it('needs credentials to write: Bearer key:secret or Basic; reads are open', async () => {
    const e = runEvent({ time: T(1) });
    const none = await c.post('/api/v1/lineage', e, { auth: null });
    expect(none.statusCode).toBe(401);
    expect(none.json<ErrorBody>().code).toBe('SPINE_UNAUTHORIZED');
    const wrong = await c.post('/api/v1/lineage', e, { auth: 'Bearer cdc-router:nope' });
    expect(wrong.statusCode).toBe(401);
    expect((await c.post('/api/v1/lineage', e, { auth: bearer() })).statusCode).toBe(200);
    expect(
      (await c.post('/api/v1/lineage', runEvent({ time: T(2) }), { auth: basic(ADMIN) })).statusCode,
    ).toBe(200);
    expect((await c.get('/api/v1/namespaces')).status).toBe(200);
  });

  it('refuses an invalid event with 400, the JSON pointer and the rule', async () => {
    const missing = runEvent({ time: T(3) });
    delete missing.eventTime;
    const r1 = await c.post('/api/v1/lineage', missing);
    expect(r1.statusCode).toBe(400);
    expect(r1.json<ErrorBody>()).toMatchObject({
      code: 'LIN_INVALID_EVENT',
      pointer: '/eventTime',
      rule: 'required',
    });

    const r2 = await c.post('/api/v1/lineage', { ...runEvent({ time: T(3) }), eventType: 'FINISHED' });
    expect(r2.json<ErrorBody>()).toMatchObject({
      code: 'LIN_INVALID_EVENT',
      pointer: '/eventType',
      rule: 'enum',
    });

    const r3 = await c.post('/api/v1/lineage', { ...runEvent({ time: T(3) }), eventTime: 'yesterday' });
    expect(r3.json<ErrorBody>()).toMatchObject({ pointer: '/eventTime', rule: 'format' });

    // A known facet at the vendored version is validated by key.
    const badFacet = runEvent({
      time: T(3),
      runFacets: {
        nominalTime: facet(
          { nominalStartTime: 'not a time' },
          'https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet',
        ),
      },
    });
    const r4 = await c.post('/api/v1/lineage', badFacet);
    expect(r4.statusCode).toBe(400);
    expect(r4.json<ErrorBody>()).toMatchObject({
      pointer: '/run/facets/nominalTime/nominalStartTime',
      rule: 'format',
    });
    const r5 = await c.post('/api/v1/lineage', { not: 'an event' });
    expect(r5.statusCode).toBe(400);
    expect(r5.json<ErrorBody>().issues?.length).toBeGreaterThan(0);
    const stored = await c.ctx.sql<{ n: string }>(
      'select count(*) as n from lin_events where event_time = $1',
      [T(3)],
    );
    expect(Number(stored.rows[0]?.n)).toBe(0);
  });

  it('accepts an older facet version with warnings, and keeps custom facets', async () => {
    const e = runEvent({
      time: T(4),
      runFacets: {
        nominalTime: facet(
          { nominalStartTime: 'not a time' },
          'https://openlineage.io/spec/facets/1-0-0/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet',
        ),
        myCompany_costCenter: facet({ center: 'data-platform', budget: 42 }, 'https://example.com/cost.json'),
      },
    });
    const r = await c.post('/api/v1/lineage', e);
    expect(r.statusCode).toBe(200);
    expect(r.json<{ warnings: Array<{ pointer: string }> }>().warnings[0]?.pointer).toBe(
      '/run/facets/nominalTime/nominalStartTime',
    );
    const runId = (e.run as { runId: string }).runId;
    const facets = await c.get<{ facets: Record<string, { center?: string }> }>(
      `/api/v1/runs/${runId}/facets`,
    );
    expect(facets.body.facets.myCompany_costCenter?.center).toBe('data-platform');
  });

  it("answers a run's facets at Marquez's path too, the run's or its job's", async () => {
    const runId = crypto.randomUUID();
    const e = runEvent({
      time: T(4),
      runId,
      job: {
        namespace: 'facets',
        name: 'with-sql',
        facets: {
          sql: facet(
            { query: 'select 1' },
            'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet',
          ),
        },
      },
      runFacets: { myCompany_costCenter: facet({ center: 'bi' }, 'https://example.com/cost.json') },
    });
    expect((await c.post('/api/v1/lineage', e)).statusCode).toBe(200);
    type Facets = { runId: string; facets: Record<string, { center?: string; query?: string }> };
    for (const base of ['/api/v1/runs', '/api/v1/jobs/runs']) {
      const run = await c.get<Facets>(`${base}/${runId}/facets?type=run`);
      expect(run.status, base).toBe(200);
      expect(run.body.runId).toBe(runId);
      expect(run.body.facets.myCompany_costCenter?.center).toBe('bi');
      expect((await c.get<Facets>(`${base}/${runId}/facets`)).body).toEqual(run.body);
      const job = await c.get<Facets>(`${base}/${runId}/facets?type=job`);
      expect(job.body.facets.sql?.query).toBe('select 1');
      expect(job.body.facets.myCompany_costCenter).toBeUndefined();
      const unknownRun = await c.get<ErrorBody>(`${base}/${crypto.randomUUID()}/facets`);
      expect([unknownRun.status, unknownRun.body.code]).toEqual([404, 'LIN_RUN_NOT_FOUND']);
      const badType = await c.get<ErrorBody>(`${base}/${runId}/facets?type=dataset`);
      expect([badType.status, badType.body.code]).toEqual([400, 'LIN_BAD_QUERY']);
    }
  });

  it('refuses malformed JSON, a non-array batch and an unknown encoding', async () => {
    const r = await c.post('/api/v1/lineage', '{"eventType": ');
    expect(r.statusCode).toBe(400);
    expect(r.json<ErrorBody>().code).toBe('LIN_MALFORMED_JSON');
    const b = await c.post('/api/v1/lineage/batch', runEvent({ time: T(5) }));
    expect(b.statusCode).toBe(400);
    expect(b.json<ErrorBody>().code).toBe('LIN_BATCH_NOT_ARRAY');
    const br = await c.app.inject({
      method: 'POST',
      url: '/api/v1/lineage',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br', authorization: bearer() },
      payload: '{}',
    });
    expect(br.statusCode).toBe(415);
    expect(br.json<ErrorBody>().code).toBe('LIN_UNSUPPORTED_ENCODING');
    const garbage = await c.app.inject({
      method: 'POST',
      url: '/api/v1/lineage',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: bearer() },
      payload: 'not gzip at all',
    });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json<ErrorBody>().code).toBe('LIN_BAD_COMPRESSED_BODY');
  });

  it('takes gzip bodies, and refuses more than 5 MB on the wire or after decompression with 413', async () => {
    const e = runEvent({ time: T(6), job: { namespace: 'gzip', name: 'zipped' } });
    const ok = await c.post('/api/v1/lineage', e, { gzip: true });
    expect(ok.statusCode).toBe(200);
    expect((await c.get('/api/v1/namespaces/gzip/jobs/zipped')).status).toBe(200);

    const big = { ...runEvent({ time: T(7) }), padding: 'x'.repeat(5 * 1024 * 1024 + 10) };
    const plain = await c.post('/api/v1/lineage', big);
    expect(plain.statusCode).toBe(413);
    expect(plain.json<ErrorBody>().code).toBe('LIN_BODY_TOO_LARGE');
    // About 6 MB of JSON that gzips to a few kilobytes: refused once decompressed past the limit.
    const bomb = gzipSync(JSON.stringify(big));
    expect(bomb.length).toBeLessThan(100_000);
    const zipped = await c.app.inject({
      method: 'POST',
      url: '/api/v1/lineage',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: bearer() },
      payload: bomb,
    });
    expect(zipped.statusCode).toBe(413);
    expect((await c.post('/api/v1/lineage/batch', [big])).statusCode).toBe(413);
  });

  it('is idempotent: the same event twice changes nothing', async () => {
    const e = runEvent({
      time: T(8),
      job: { namespace: 'idem', name: 'copy' },
      inputs: [{ namespace: 'idem', name: 'src' }],
      outputs: [{ namespace: 'idem', name: 'dst' }],
    });
    const first = await c.post('/api/v1/lineage', e);
    expect(first.json()).toMatchObject({ duplicate: false });
    const tables = ['lin_events', 'lin_runs', 'lin_dataset_versions', 'lin_edges', 'lin_job_versions'];
    const before = await Promise.all(tables.map((t) => count(c, t)));
    const dataset = await c.get<{ updatedAt: string; currentVersion: string }>(
      '/api/v1/namespaces/idem/datasets/dst',
    );
    // Key order differs; the canonical form does not.
    const reordered = Object.fromEntries(Object.entries(e).reverse());
    const second = await c.post('/api/v1/lineage', reordered);
    expect(second.json()).toMatchObject({ duplicate: true });
    const batch = await c.post('/api/v1/lineage/batch', [e, e]);
    expect(batch.json()).toMatchObject({
      status: 'success',
      summary: { received: 2, successful: 2, failed: 0 },
    });
    expect(await Promise.all(tables.map((t) => count(c, t)))).toEqual(before);
    expect((await c.get('/api/v1/namespaces/idem/datasets/dst')).body).toEqual(dataset.body);
  });

  it('tolerates order: COMPLETE before START, OTHER before START, and runs that never end', async () => {
    const runId = crypto.randomUUID();
    const job = { namespace: 'order', name: 'late-start' };
    await c.post('/api/v1/lineage', runEvent({ eventType: 'COMPLETE', runId, job, time: T(20) }));
    await c.post('/api/v1/lineage', runEvent({ eventType: 'START', runId, job, time: T(10) }));
    const run = await c.get<RunBody & { stateHistory: Array<{ type: string }> }>(`/api/v1/runs/${runId}`);
    expect(run.body).toMatchObject({ state: 'COMPLETED', startedAt: T(10), endedAt: T(20) });
    expect(run.body.stateHistory.map((s) => s.type)).toEqual(['START', 'COMPLETE']);

    const other = crypto.randomUUID();
    const otherJob = { namespace: 'order', name: 'other-first' };
    await c.post(
      '/api/v1/lineage',
      runEvent({ eventType: 'OTHER', runId: other, job: otherJob, time: T(15) }),
    );
    expect((await c.get<RunBody>(`/api/v1/runs/${other}`)).body.state).toBe('NEW');
    await c.post(
      '/api/v1/lineage',
      runEvent({ eventType: 'START', runId: other, job: otherJob, time: T(16) }),
    );
    expect((await c.get<RunBody>(`/api/v1/runs/${other}`)).body).toMatchObject({
      state: 'RUNNING',
      startedAt: T(16),
    });

    // A streaming job: START and RUNNING, never a terminal event; its edges stay open.
    const stream = crypto.randomUUID();
    const sjob = {
      namespace: 'order',
      name: 'stream',
      facets: {
        jobType: facet(
          { processingType: 'STREAMING', integration: 'FLINK' },
          'https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
        ),
      },
    };
    const io = {
      inputs: [{ namespace: 'kafka://broker:9092', name: 'clicks' }],
      outputs: [{ namespace: 'order', name: 'click_counts' }],
    };
    await c.post(
      '/api/v1/lineage',
      runEvent({ eventType: 'START', runId: stream, job: sjob, time: T(30), ...io }),
    );
    for (let i = 1; i <= 3; i++) {
      await c.post(
        '/api/v1/lineage',
        runEvent({ eventType: 'RUNNING', runId: stream, job: sjob, time: T(30 + i * 60), ...io }),
      );
    }
    expect((await c.get<RunBody>(`/api/v1/runs/${stream}`)).body).toMatchObject({
      state: 'RUNNING',
      endedAt: null,
    });
    const job2 = await c.get<{ type: string; latestRun: { id: string } }>(
      '/api/v1/namespaces/order/jobs/stream',
    );
    expect(job2.body).toMatchObject({ type: 'STREAM', latestRun: { id: stream } });
    const lineage = await c.get<{ graph: Array<{ id: string }> }>(
      `/api/v1/lineage?nodeId=${encodeURIComponent('dataset:kafka://broker:9092:clicks')}&depth=2`,
    );
    expect(lineage.body.graph.map((n) => n.id).sort()).toEqual([
      'dataset:kafka://broker:9092:clicks',
      'dataset:order:click_counts',
      'job:order:stream',
    ]);
    const runs = await c.get<{ runs: RunBody[]; totalCount: number }>(
      '/api/v1/namespaces/order/jobs/stream/runs',
    );
    expect(runs.body.totalCount).toBe(1);
  });

  it("carries a failed run's state and error message on the job's lineage node, also after a restart", async () => {
    const runId = crypto.randomUUID();
    const job = { namespace: 'fail', name: 'nightly' };
    const io = { inputs: [{ namespace: 'fail', name: 'in' }], outputs: [{ namespace: 'fail', name: 'out' }] };
    await c.post('/api/v1/lineage', runEvent({ eventType: 'START', runId, job, time: T(50), ...io }));
    await c.post(
      '/api/v1/lineage',
      runEvent({
        eventType: 'FAIL',
        runId,
        job,
        time: T(55),
        ...io,
        runFacets: {
          errorMessage: facet(
            { message: 'relation "in" does not exist', programmingLanguage: 'SQL' },
            'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
          ),
        },
      }),
    );
    const url = `/api/v1/lineage?nodeId=${encodeURIComponent('job:fail:nightly')}&depth=1`;
    const node = async () =>
      (await c.get<{ graph: Array<{ id: string; data: { latestRun: unknown } }> }>(url)).body.graph.find(
        (n) => n.id === 'job:fail:nightly',
      )?.data.latestRun;
    const expected = {
      id: runId,
      state: 'FAILED',
      startedAt: T(50),
      endedAt: T(55),
      durationMs: 5000,
      errorMessage: 'relation "in" does not exist',
    };
    expect(await node()).toEqual(expected);
    const runs = await c.get<{ runs: Array<{ errorMessage: string; state: string }> }>(
      '/api/v1/namespaces/fail/jobs/nightly/runs',
    );
    expect(runs.body.runs[0]).toMatchObject({
      state: 'FAILED',
      errorMessage: 'relation "in" does not exist',
    });
    await c.rebuild();
    expect(await node()).toEqual(expected);
  });

  it('answers a batch with per-item results, storing the valid ones', async () => {
    const good1 = runEvent({ time: T(40), job: { namespace: 'batch', name: 'a' } });
    const bad = { ...runEvent({ time: T(41) }), eventType: 'NOPE' };
    const good2 = runEvent({ time: T(42), job: { namespace: 'batch', name: 'b' } });
    const r = await c.post('/api/v1/lineage/batch', [good1, bad, good2], { gzip: true });
    expect(r.statusCode).toBe(200);
    const body = r.json<{
      status: string;
      summary: Record<string, number>;
      failed_events: Array<{ index: number; retriable: boolean; reason: string }>;
    }>();
    expect(body.status).toBe('partial_success');
    expect(body.summary).toEqual({ received: 3, successful: 2, failed: 1, retriable: 0, non_retriable: 1 });
    expect(body.failed_events).toHaveLength(1);
    expect(body.failed_events[0]).toMatchObject({ index: 1, retriable: false });
    expect(body.failed_events[0]?.reason).toContain('/eventType enum');
    const jobs = await c.get<{ jobs: Array<{ name: string }> }>('/api/v1/namespaces/batch/jobs');
    expect(jobs.body.jobs.map((j) => j.name)).toEqual(['a', 'b']);
  });

  it('rebuilds the same graph from the tables after a restart', async () => {
    const url = `/api/v1/lineage?nodeId=${encodeURIComponent('dataset:kafka://broker:9092:clicks')}&depth=3`;
    const before = await c.get(url);
    const datasets = await c.get('/api/v1/namespaces/idem/datasets');
    await c.rebuild();
    expect((await c.get(url)).body).toEqual(before.body);
    expect((await c.get('/api/v1/namespaces/idem/datasets')).body).toEqual(datasets.body);
  });
});

describe('ingest under pressure', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await startCollector('lineage-pressure', { SPINE_LINEAGE_MAX_PENDING_EVENTS: '4' });
  });
  afterAll(async () => c?.close());

  it('answers 503 with Retry-After when too many events are pending, and stores every accepted one', async () => {
    const events = Array.from({ length: 40 }, (_, i) =>
      runEvent({ time: T(i), job: { namespace: 'pressure', name: `j${i}` } }),
    );
    const answers = await Promise.all(events.map((e) => c.post('/api/v1/lineage', e)));
    const refused = answers.filter((a) => a.statusCode === 503);
    const accepted = answers.filter((a) => a.statusCode === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length + refused.length).toBe(40);
    expect(refused[0]?.headers['retry-after']).toBe('1');
    expect(refused[0]?.json<ErrorBody>().code).toBe('LIN_OVERLOADED');
    expect(await count(c, 'lin_events')).toBe(accepted.length);
    // Retrying what was refused, as the clients do, gets everything in.
    for (const [i, a] of answers.entries()) {
      if (a.statusCode === 503) expect((await c.post('/api/v1/lineage', events[i])).statusCode).toBe(200);
    }
    expect(await count(c, 'lin_events')).toBe(40);
  });
});
