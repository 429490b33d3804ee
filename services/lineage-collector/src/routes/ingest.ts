import type { FastifyInstance } from 'fastify';
import type { Issue } from '@data-spine/contracts';
import { withIssues } from '@data-spine/service-kit';
import { BatchNotArray, InvalidEvent } from '../errors.ts';
import { toLineageEvent } from '../ingest/lineage-event.ts';
import type { LineageEvent } from '../ingest/lineage-event.ts';
import type { LineageContext } from './lineage-context.ts';
import { readJsonBody } from './request-body.ts';

const summary = (issues: readonly Issue[]) =>
  issues
    .slice(0, 3)
    .map((i) => `${i.pointer || '/'} ${i.rule}`)
    .join('; ');

/** POST /api/v1/lineage and /api/v1/lineage/batch, in a scope with our own body reader (gzip, limit). */
export async function ingestRoutes(app: FastifyInstance, ctx: LineageContext): Promise<void> {
  const limit = ctx.config.SPINE_LINEAGE_MAX_BODY_BYTES;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, payload, done) => {
      readJsonBody(request.headers, payload, limit).then(
        (body) => done(null, body),
        (err: Error) => done(err, undefined),
      );
    });
    const auth = { role: 'producer' as const };

    scope.post(
      '/api/v1/lineage',
      {
        bodyLimit: limit * 4,
        config: {
          auth,
          openapi: {
            summary: 'Ingest one OpenLineage RunEvent, DatasetEvent or JobEvent (gzip accepted)',
            tags: ['OpenLineage'],
          },
        },
      },
      async (request) => {
        const v = ctx.validator.validate(request.body);
        if (!v.ok) {
          ctx.metrics.events.inc({ result: 'invalid' });
          throw withIssues(new InvalidEvent(summary(v.issues)), v.issues);
        }
        const event = toLineageEvent(request.body as Record<string, unknown>, v.kind);
        const stored = await ctx.queue.submit([event]);
        return {
          status: 'success',
          duplicate: !stored.has(event.hash),
          ...(v.warnings.length > 0 ? { warnings: v.warnings } : {}),
        };
      },
    );

    scope.post(
      '/api/v1/lineage/batch',
      {
        bodyLimit: limit * 4,
        config: {
          auth,
          openapi: {
            summary: 'Ingest an array of events; per-item results as the OpenLineage OpenAPI describes',
            tags: ['OpenLineage'],
          },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Array.isArray(body)) throw new BatchNotArray();
        const failed: Array<{ index: number; reason: string; retriable: boolean; issues?: Issue[] }> = [];
        const accepted: LineageEvent[] = [];
        body.forEach((item: unknown, index) => {
          const v = ctx.validator.validate(item);
          if (!v.ok) {
            failed.push({
              index,
              reason: `invalid event: ${summary(v.issues)}`,
              retriable: false,
              issues: v.issues,
            });
            return;
          }
          accepted.push(toLineageEvent(item as Record<string, unknown>, v.kind));
        });
        if (failed.length > 0) ctx.metrics.events.inc({ result: 'invalid' }, failed.length);
        // Overload or a store failure refuses the whole request (503, nothing stored): clients retry it.
        if (accepted.length > 0) await ctx.queue.submit(accepted);
        return {
          status: failed.length === 0 ? 'success' : 'partial_success',
          summary: {
            received: body.length,
            successful: accepted.length,
            failed: failed.length,
            retriable: 0,
            non_retriable: failed.length,
          },
          failed_events: failed,
        };
      },
    );
  });
}
