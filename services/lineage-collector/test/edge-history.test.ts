import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeIntervals } from '../src/graph/edge-intervals.ts';
import type { RunIo } from '../src/graph/graph-model.ts';
import { runEvent, startCollector } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

const ns = 'postgres://warehouse:5432';
const job = { namespace: 'etl', name: 'switching' };
const names = ['a', 'b', 'c'];

/** Each run reads and writes a seeded subset of a, b, c; the runs arrive one request at a time, shuffled. */
function runs(): Array<{ runId: string; hour: number; inputs: string[]; outputs: string[] }> {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const list = Array.from({ length: 30 }, (_, i) => ({
    runId: crypto.randomUUID(),
    hour: i,
    inputs: names.filter(() => rnd() < 0.5),
    outputs: names.filter(() => rnd() < 0.4).map((n) => `out_${n}`),
  }));
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

describe('edge validity intervals, maintained incrementally', () => {
  let c: Collector;
  const sent = runs();
  const time = (h: number) => new Date(Date.UTC(2026, 3, 1, h)).toISOString();
  beforeAll(async () => {
    c = await startCollector('lineage-edge-history');
    for (const r of sent) {
      const e = runEvent({
        runId: r.runId,
        job,
        time: time(r.hour),
        inputs: r.inputs.map((name) => ({ namespace: ns, name })),
        outputs: r.outputs.map((name) => ({ namespace: ns, name })),
      });
      expect((await c.post('/api/v1/lineage', e)).statusCode).toBe(200);
    }
  });
  afterAll(async () => c?.close());

  const stored = async () =>
    (
      await c.ctx.sql<{ edge: string; valid_from: Date; valid_to: Date | null }>(
        `select e.direction || '|' || d.name as edge, e.valid_from, e.valid_to
         from lin_edges e join lin_datasets d on d.id = e.dataset_id order by 1, 2`,
      )
    ).rows.map((r) => [r.edge, r.valid_from.toISOString(), r.valid_to?.toISOString() ?? null]);

  it('stores the intervals a recompute from all runs gives, whatever order the runs came in', async () => {
    const all: RunIo[] = [...sent]
      .sort((x, y) => x.hour - y.hour)
      .filter((r) => r.inputs.length + r.outputs.length > 0)
      .map((r) => ({
        runId: r.runId,
        start: Date.parse(time(r.hour)),
        io: new Set([...r.inputs.map((n) => `in|${n}`), ...r.outputs.map((n) => `out|${n}`)]),
      }));
    const expected = [...edgeIntervals(all)]
      .flatMap(([edge, list]) =>
        list.map((i) => [
          edge,
          new Date(i.from).toISOString(),
          i.to === null ? null : new Date(i.to).toISOString(),
        ]),
      )
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])) || String(x[1]).localeCompare(String(y[1])));
    expect(await stored()).toEqual(expected);
  });

  it('answers every point in time the same after a restart (graph rebuilt from the tables)', async () => {
    const url = (h: number) =>
      `/api/v1/lineage?nodeId=${encodeURIComponent(`job:${job.namespace}:${job.name}`)}&depth=1&asOf=${encodeURIComponent(time(h))}`;
    const answers = async () => {
      const out: unknown[] = [];
      for (let h = 0; h < 30; h += 3) {
        const r = await c.get<{ graph: Array<{ id: string; inEdges: unknown[]; outEdges: unknown[] }> }>(
          url(h),
        );
        const edges = (list: unknown[]) => list.map((e) => JSON.stringify(e)).sort();
        out.push(
          r.status === 200
            ? r.body.graph.map((n) => [n.id, edges(n.inEdges), edges(n.outEdges)]).sort()
            : r.status,
        );
      }
      return out;
    };
    const before = await answers();
    expect(before.some((a) => Array.isArray(a) && a.length > 1)).toBe(true);
    await c.rebuild();
    expect(await answers()).toEqual(before);
  });
});
