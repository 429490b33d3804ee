import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseWith } from '@data-spine/contracts';
import { errors, withIssues } from '@data-spine/service-kit';
import type { DeadLetterStore } from '../dlq/dead-letter-store.ts';
import type { Replayer } from '../dlq/replay.ts';
import { DeadLetterNotFound, ReplayInvalid } from '../errors.ts';

const admin = { auth: { role: 'admin' as const } };

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const Filter = z.object({
  since: isoDate.optional(),
  until: isoDate.optional(),
  table: z
    .string()
    .regex(/^[A-Za-z0-9_$]+\.[A-Za-z0-9_$]+$/, 'schema.table')
    .optional(),
  reason: z
    .string()
    .regex(/^CDC_[A-Z_]+$/, 'a CDC_ reason code')
    .optional(),
  route: z.string().min(1).optional(),
  ids: z
    .array(z.string().regex(/^\d{1,18}$/))
    .max(10_000)
    .optional(),
});

const ListQuery = Filter.omit({ ids: true }).extend({
  status: z.enum(['pending', 'replayed', 'all']).default('pending'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after_id: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});

const ReplayBody = z.object({
  replay_id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .optional(),
  filter: Filter.default({}),
  dry_run: z.boolean().default(false),
  rate_per_second: z.number().positive().max(100_000).optional(),
  limit: z.number().int().min(1).max(10_000).default(500),
  after_id: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});

function parse<S extends z.ZodType>(
  schema: S,
  input: unknown,
  Err: typeof errors.ValidationError,
): z.output<S> {
  const parsed = parseWith(schema, input);
  if (parsed.ok) return parsed.value;
  const first = parsed.issues[0];
  throw withIssues(new Err(`${first?.pointer || '/'}: ${first?.message ?? 'invalid'}`), parsed.issues);
}

/** `GET /v1/dlq`, `GET /v1/dlq/{id}` and `POST /v1/dlq:replay`: admin only (dead letters hold raw rows). */
export function dlqRoutes(
  app: FastifyInstance,
  store: DeadLetterStore,
  replayer: Replayer,
  defaultRate: number,
): void {
  app.get(
    '/v1/dlq',
    {
      config: {
        ...admin,
        openapi: {
          summary:
            'List dead letters (filters: since, until, table, reason, route, status); total: how many match',
          tags: ['dlq'],
        },
      },
    },
    async (request) => {
      const q = parse(ListQuery, request.query, errors.ValidationError);
      const filter = {
        ...(q.since ? { since: q.since } : {}),
        ...(q.until ? { until: q.until } : {}),
        ...(q.table ? { table: q.table } : {}),
        ...(q.reason ? { reason: q.reason } : {}),
        ...(q.route ? { route: q.route } : {}),
        status: q.status,
      };
      const items = await store.list({
        ...filter,
        ...(q.after_id ? { afterId: q.after_id } : {}),
        limit: q.limit,
      });
      return {
        dead_letters: items.map((i) => i.view),
        next_after_id: items.length === q.limit ? (items.at(-1)?.view.id ?? null) : null,
        // Dead letters matching the filters and status, on every page; `depth`: all pending ones.
        total: await store.count(filter),
        depth: await store.depth(),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/dlq/:id',
    {
      config: {
        ...admin,
        openapi: { summary: 'One dead letter with the record as it arrived', tags: ['dlq'] },
      },
    },
    async (request) => {
      const found = await store.get(request.params.id);
      if (!found) throw new DeadLetterNotFound(request.params.id);
      return { ...found.view, record: { value: found.record.value, headers: found.record.headers } };
    },
  );

  app.post(
    '/v1/dlq::replay',
    {
      config: {
        ...admin,
        openapi: {
          summary: 'Replay dead letters under the current policy (idempotent per replay_id)',
          tags: ['dlq'],
        },
      },
    },
    async (request) => {
      const body = parse(ReplayBody, request.body ?? {}, ReplayInvalid);
      const f = body.filter;
      return replayer.replay({
        ...(body.replay_id ? { replayId: body.replay_id } : {}),
        filter: {
          ...(f.since ? { since: f.since } : {}),
          ...(f.until ? { until: f.until } : {}),
          ...(f.table ? { table: f.table } : {}),
          ...(f.reason ? { reason: f.reason } : {}),
          ...(f.route ? { route: f.route } : {}),
          ...(f.ids ? { ids: f.ids } : {}),
          ...(body.after_id ? { afterId: body.after_id } : {}),
        },
        dryRun: body.dry_run,
        ratePerSecond: body.rate_per_second ?? defaultRate,
        limit: body.limit,
      });
    },
  );
}
