import type { FastifyInstance } from 'fastify';
import type { LineageContext } from './lineage-context.ts';

/** Residency conflicts, and the policy tags known across the graph. */
export function residencyRoutes(app: FastifyInstance, ctx: LineageContext): void {
  app.get(
    '/api/v1/residency/conflicts',
    {
      config: {
        openapi: {
          summary:
            'Edges that carry EEA-resident data, without an allow decision, to a dataset in a non-EEA region or in an unknown one (with the reason)',
          tags: ['Policy'],
        },
      },
    },
    async () => {
      const conflicts = ctx.tags.conflicts().map((c) => ({
        ...c,
        decision: c.decision
          ? {
              decision_id: c.decision.decisionId,
              decision: c.decision.decision,
              runId: c.decision.runId,
              at: new Date(c.decision.at).toISOString(),
            }
          : null,
      }));
      return { conflicts, totalCount: conflicts.length };
    },
  );
  app.get(
    '/api/v1/tags',
    { config: { openapi: { summary: 'Tag keys in use (Marquez shape)', tags: ['Marquez'] } } },
    async () => {
      const keys = new Map<string, Set<string>>();
      for (const d of ctx.graph.datasets.values()) {
        for (const t of ctx.tags.tagsOf(d)) {
          const values = keys.get(t.key) ?? new Set<string>();
          values.add(t.value);
          keys.set(t.key, values);
        }
      }
      return {
        tags: [...keys]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, values]) => ({ name, description: null, values: [...values].sort() })),
      };
    },
  );
}
