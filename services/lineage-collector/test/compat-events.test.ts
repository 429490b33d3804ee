import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';
import { eventHash } from '../src/index.ts';

const ROOT = new URL('../../../../shared/spec/openlineage/compat-events/', import.meta.url).pathname;
const scenarios = readdirSync(ROOT).sort();
const eventsOf = (scenario: string) =>
  readdirSync(join(ROOT, scenario, 'events'))
    .sort()
    .map((f) => ({
      file: f,
      event: JSON.parse(readFileSync(join(ROOT, scenario, 'events', f), 'utf8')) as OlEvent,
    }));

interface Ref {
  namespace: string;
  name: string;
}
interface InputField extends Ref {
  field: string;
}
interface OlEvent {
  eventTime: string;
  job: Ref;
  run: { runId: string };
  inputs?: Ref[];
  outputs?: Array<
    Ref & { facets?: { columnLineage?: { fields: Record<string, { inputFields: InputField[] }> } } }
  >;
}
interface Node {
  id: string;
  type: string;
  data: Record<string, unknown>;
  inEdges: Array<{ origin: string; destination: string }>;
  outEdges: Array<{ origin: string; destination: string }>;
}

describe('OpenLineage compatibility events (real integrations)', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await startCollector('lineage-compat');
  });
  afterAll(async () => c?.close());

  it.each(scenarios)(
    '%s: every event is accepted and its datasets and jobs are in the lineage',
    async (scenario) => {
      const events = eventsOf(scenario);
      expect(events.length).toBeGreaterThan(0);
      for (const { file, event } of events) {
        const r = await c.post('/api/v1/lineage', event);
        expect(r.statusCode, `${scenario}/${file}: ${r.body}`).toBe(200);
      }
      for (const { event } of events) {
        const job = event.job;
        const j = await c.get<{ name: string; namespace: string }>(
          `/api/v1/namespaces/${encodeURIComponent(job.namespace)}/jobs/${encodeURIComponent(job.name)}`,
        );
        expect(j.status).toBe(200);
        expect(j.body.name).toBe(job.name);
        const run = await c.get<{ id: string; state: string }>(
          `/api/v1/runs/${encodeURIComponent(event.run.runId)}`,
        );
        expect(run.status).toBe(200);
        expect(['RUNNING', 'COMPLETED', 'FAILED', 'ABORTED', 'NEW']).toContain(run.body.state);
        const datasets = [...(event.inputs ?? []), ...(event.outputs ?? [])] as Array<{
          namespace: string;
          name: string;
        }>;
        if (datasets.length === 0) continue;
        // As of the event: a later run of the same job may read or write other datasets (Spark names runs of
        // different actions alike), and the current graph holds the latest run's edges.
        const lineage = await c.get<{ graph: Node[] }>(
          `/api/v1/lineage?nodeId=${encodeURIComponent(`job:${job.namespace}:${job.name}`)}&depth=1&asOf=${encodeURIComponent(event.eventTime)}`,
        );
        expect(lineage.status).toBe(200);
        const ids = new Set(lineage.body.graph.map((n) => n.id));
        expect(ids).toContain(`job:${job.namespace}:${job.name}`);
        for (const d of datasets) {
          expect(ids, `${scenario}: ${d.namespace}:${d.name}`).toContain(`dataset:${d.namespace}:${d.name}`);
          const ds = await c.get<{ name: string }>(
            `/api/v1/namespaces/${encodeURIComponent(d.namespace)}/datasets/${encodeURIComponent(d.name)}`,
          );
          expect(ds.status).toBe(200);
        }
      }
    },
  );

  it('CLL: the column lineage of tbl1 names its source columns', async () => {
    const events = eventsOf('CLL').map((e) => e.event);
    const out = events.flatMap((e) => e.outputs ?? []).find((o) => o.facets?.columnLineage);
    expect(out).toBeDefined();
    const r = await c.get<{ graph: Node[] }>(
      `/api/v1/column-lineage?nodeId=${encodeURIComponent(`dataset:${out!.namespace}:${out!.name}`)}&depth=5`,
    );
    expect(r.status).toBe(200);
    const expected = Object.entries(out!.facets!.columnLineage!.fields);
    for (const [field, spec] of expected) {
      const node = r.body.graph.find((n) => n.id === `datasetField:${out!.namespace}:${out!.name}:${field}`);
      expect(node, field).toBeDefined();
      for (const i of spec.inputFields) {
        expect(node!.inEdges).toContainEqual({
          origin: `datasetField:${i.namespace}:${i.name}:${i.field}`,
          destination: node!.id,
        });
      }
    }
  });

  it('lists the raw events by time and pages them', async () => {
    // Two scenarios share four identical events: stored once.
    const total = new Set(scenarios.flatMap((s) => eventsOf(s).map((e) => eventHash(e.event)))).size;
    expect(total).toBe(70);
    const all = await c.get<{ events: unknown[]; totalCount: number }>('/api/v1/events/lineage?limit=1000');
    expect(all.body.totalCount).toBe(total);
    const page = await c.get<{ events: Array<{ eventTime: string }> }>(
      '/api/v1/events/lineage?limit=5&offset=5&sortDirection=asc',
    );
    expect(page.body.events).toHaveLength(5);
    const times = page.body.events.map((e) => Date.parse(e.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const before = await c.get<{ totalCount: number }>('/api/v1/events/lineage?before=2023-12-31T00:00:00Z');
    expect(before.body.totalCount).toBe(1); // simple_run_event, 2023-04-04
  });
});
