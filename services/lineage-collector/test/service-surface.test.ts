import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvent, startCollector } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');

describe('service surface', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await startCollector('lineage-surface');
  });
  afterAll(async () => c?.close());

  it('documents every LIN_ error code in the README', () => {
    const codes = [...read('../src/errors.ts').matchAll(/'(LIN_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(10);
    const readme = read('../README.md');
    for (const code of codes) expect(readme, code).toContain(code);
  });

  it('has health, readiness, metrics with ingest counters, OpenAPI and Server-Timing', async () => {
    expect((await c.get('/healthz')).status).toBe(200);
    expect((await c.get('/readyz')).status).toBe(200);
    await c.post('/api/v1/lineage', runEvent({ time: '2026-01-01T00:00:00Z' }));
    await c.post('/api/v1/lineage', { bad: true });
    const metrics = await c.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/spine_lineage_events_total\{[^}]*result="stored"[^}]*\} 1/);
    expect(metrics.body).toMatch(/spine_lineage_events_total\{[^}]*result="invalid"[^}]*\} 1/);
    expect(metrics.body).toContain('spine_lineage_flush_duration_seconds_bucket');
    const openapi = await c.get<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(openapi.status).toBe(200);
    for (const path of [
      '/api/v1/lineage',
      '/api/v1/lineage/batch',
      '/api/v1/residency/conflicts',
      '/api/v1/column-lineage',
    ]) {
      expect(Object.keys(openapi.body.paths)).toContain(path);
    }
    const r = await c.app.inject({ method: 'GET', url: '/api/v1/namespaces' });
    expect(r.headers['server-timing']).toContain('total;dur=');
  });
});
