import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { datasetNodeId, jobNodeId } from '../tags/policy-tags.ts';
import type { LineageContext } from './lineage-context.ts';
import { fieldsAt } from './marquez-shapes.ts';
import { parseQuery } from './query-params.ts';

const SearchQuery = z.object({
  q: z.string().min(1).max(200),
  filter: z
    .enum(['DATASET', 'JOB', 'FIELD', 'TAG', 'dataset', 'job', 'field', 'tag'])
    .optional()
    .transform((v) => v?.toUpperCase()),
  sort: z
    .enum(['NAME', 'UPDATE_AT', 'name', 'update_at'])
    .default('NAME')
    .transform((v) => v.toUpperCase()),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

interface Result {
  type: 'DATASET' | 'JOB' | 'FIELD' | 'TAG';
  name: string;
  updatedAt: string;
  namespace: string;
  nodeId: string;
  field?: string;
  tag?: { key: string; value: string; field: string | null; inherited: boolean };
  updated: number;
}

/** Marquez's search, over datasets and jobs, and also fields and policy tags (`pii`, `residency=EEA`). */
export function searchRoutes(app: FastifyInstance, ctx: LineageContext): void {
  app.get(
    '/api/v1/search',
    {
      config: {
        openapi: { summary: 'Search datasets, jobs, fields and tags by substring', tags: ['Marquez'] },
      },
    },
    async (req) => {
      const q = parseQuery(SearchQuery, req.query);
      const needle = q.q.toLowerCase();
      const want = (t: Result['type']) => q.filter === undefined || q.filter === t;
      const results: Result[] = [];
      for (const d of ctx.graph.datasets.values()) {
        const base = {
          name: d.name,
          namespace: d.namespace,
          nodeId: datasetNodeId(d),
          updatedAt: new Date(d.updatedAt).toISOString(),
          updated: d.updatedAt,
        };
        if (
          want('DATASET') &&
          (d.name.toLowerCase().includes(needle) || d.namespace.toLowerCase().includes(needle))
        ) {
          results.push({ type: 'DATASET', ...base });
        }
        if (want('FIELD')) {
          for (const f of fieldsAt(d, null)) {
            if (f.name.toLowerCase().includes(needle))
              results.push({
                type: 'FIELD',
                ...base,
                field: f.name,
                nodeId: `datasetField:${d.namespace}:${d.name}:${f.name}`,
              });
          }
        }
        if (want('TAG')) {
          for (const t of ctx.tags.tagsOf(d)) {
            const text = `${t.key}=${t.value}`.toLowerCase();
            if (text.includes(needle)) {
              results.push({
                type: 'TAG',
                ...base,
                tag: { key: t.key, value: t.value, field: t.field, inherited: t.inherited },
              });
            }
          }
        }
      }
      if (want('JOB')) {
        for (const j of ctx.graph.jobs.values()) {
          if (j.name.toLowerCase().includes(needle) || j.namespace.toLowerCase().includes(needle)) {
            results.push({
              type: 'JOB',
              name: j.name,
              namespace: j.namespace,
              nodeId: jobNodeId(j),
              updatedAt: new Date(j.updatedAt).toISOString(),
              updated: j.updatedAt,
            });
          }
        }
      }
      results.sort((a, b) =>
        q.sort === 'UPDATE_AT' ? b.updated - a.updated : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      return {
        totalCount: results.length,
        results: results.slice(0, q.limit).map(({ updated: _u, ...r }) => r),
      };
    },
  );
}
