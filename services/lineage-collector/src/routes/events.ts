import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LineageContext } from './lineage-context.ts';
import { Instant, Paging, parseQuery } from './query-params.ts';

const EventsQuery = z.object({
  before: Instant.optional(),
  after: Instant.optional(),
  sortDirection: z.enum(['asc', 'desc']).default('desc'),
  ...Paging,
});

/** Marquez's GET /api/v1/events/lineage: raw events by event time, paged. */
export function eventRoutes(app: FastifyInstance, ctx: LineageContext): void {
  app.get(
    '/api/v1/events/lineage',
    {
      config: {
        openapi: { summary: 'Raw lineage events in a time range (before/after), paged', tags: ['Marquez'] },
      },
    },
    async (req) => {
      const q = parseQuery(EventsQuery, req.query);
      const dir = q.sortDirection === 'asc' ? 'asc' : 'desc';
      const params = [
        q.after === undefined ? null : new Date(q.after).toISOString(),
        q.before === undefined ? null : new Date(q.before).toISOString(),
      ];
      const where = `where ($1::timestamptz is null or event_time >= $1) and ($2::timestamptz is null or event_time <= $2)`;
      const [rows, count] = await Promise.all([
        ctx.store.read<{ body: unknown }>(
          `select body from lin_events ${where} order by event_time ${dir}, seq ${dir} limit $3 offset $4`,
          [...params, q.limit, q.offset],
        ),
        ctx.store.read<{ n: string }>(`select count(*) as n from lin_events ${where}`, params),
      ]);
      return { events: rows.rows.map((r) => r.body), totalCount: Number(count.rows[0]?.n ?? 0) };
    },
  );
}
