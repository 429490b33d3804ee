import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DatasetNotFound } from '../errors.ts';
import { datasetRuns } from '../graph/dataset-runs.ts';
import type { LineageContext } from './lineage-context.ts';
import { run, RUN_COLUMNS } from './marquez-shapes.ts';
import type { RunRow } from './marquez-shapes.ts';
import { Instant, Paging, parseQuery } from './query-params.ts';

/** Run states listed across jobs: the failures (`lin_runs_failed` indexes exactly these). */
const FAILURE_STATES = ['FAILED', 'ABORTED'] as const;
/** The event types, as the terminal states they lead to. */
const ALIASES: Record<string, string> = { FAIL: 'FAILED', ABORT: 'ABORTED' };

const FailedRunsQuery = z.object({
  state: z
    .string()
    .default(FAILURE_STATES.join(','))
    .transform((text, c) => {
      const states = new Set<string>();
      let bad = false;
      for (const raw of text.split(',')) {
        const s = raw.trim().toUpperCase();
        if (s === '') continue;
        const state = ALIASES[s] ?? s;
        if ((FAILURE_STATES as readonly string[]).includes(state)) {
          states.add(state);
        } else {
          bad = true;
          c.addIssue({
            code: 'custom',
            message: `'${raw.trim()}' is not FAILED or ABORTED: across jobs only failures are listed (a job's runs: /api/v1/namespaces/{ns}/jobs/{job}/runs)`,
          });
        }
      }
      if (states.size === 0 && !bad) c.addIssue({ code: 'custom', message: 'name FAILED, ABORTED or both' });
      return [...states];
    }),
  ...Paging,
});

const DatasetRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
  asOf: Instant.optional(),
});

/** Runs across jobs: the failed ones (from the runs table), and those that read or wrote a dataset. */
export function runListRoutes(app: FastifyInstance, ctx: LineageContext): void {
  app.get(
    '/api/v1/runs',
    {
      config: {
        openapi: {
          summary:
            'Failed and aborted runs of every job, newest failure first, paged (state=FAILED,ABORTED; FAIL and ABORT are accepted too)',
          tags: ['Runs'],
        },
      },
    },
    async (req) => {
      const q = parseQuery(FailedRunsQuery, req.query);
      // The literal IN lets the planner use the partial index whatever the parameter holds.
      const where = `r.kind = 'run' and r.state in ('FAILED', 'ABORTED') and r.state = any($1::text[])`;
      const [rows, count] = await Promise.all([
        ctx.store.read<RunRow>(
          `select ${RUN_COLUMNS} from lin_runs r join lin_jobs j on j.id = r.job_id
           where ${where} order by r.ended_at desc, r.run_id limit $2 offset $3`,
          [q.state, q.limit, q.offset],
        ),
        ctx.store.read<{ n: string }>(`select count(*) as n from lin_runs r where ${where}`, [q.state]),
      ]);
      return {
        runs: rows.rows.map((row) => ({
          ...run(row),
          job: { namespace: row.job_namespace ?? null, name: row.job_name ?? null },
        })),
        totalCount: Number(count.rows[0]?.n ?? 0),
      };
    },
  );

  app.get<{ Params: { ns: string; name: string } }>(
    '/api/v1/namespaces/:ns/datasets/:name/runs',
    {
      config: {
        openapi: {
          summary:
            'The latest runs that read or wrote a dataset, newest first (with asOf: those started by then), each with its job',
          tags: ['Runs'],
        },
      },
    },
    async (req) => {
      const d = ctx.graph.dataset(req.params.ns, req.params.name);
      if (!d) throw new DatasetNotFound(req.params.name, req.params.ns);
      const q = parseQuery(DatasetRunsQuery, req.query);
      const refs = datasetRuns(d, { limit: q.limit, offset: q.offset, asOf: q.asOf ?? null });
      if (refs.length === 0) return { runs: [] };
      const r = await ctx.store.read<RunRow>(
        `select ${RUN_COLUMNS} from lin_runs r join lin_jobs j on j.id = r.job_id
         where r.run_id = any($1::text[]) and r.kind = 'run'`,
        [refs.map((ref) => ref.runId)],
      );
      const rows = new Map(r.rows.map((row) => [row.run_id, row]));
      return {
        runs: refs.flatMap((ref) => {
          const row = rows.get(ref.runId);
          if (!row) return [];
          return [
            {
              ...run(row),
              job: { namespace: ref.job.namespace, name: ref.job.name },
              reads: ref.reads,
              writes: ref.writes,
            },
          ];
        }),
      };
    },
  );
}
