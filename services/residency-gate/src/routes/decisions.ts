import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withIssues } from '@data-spine/service-kit';
import { MAX_BATCH } from '../contract/decision-contract.ts';
import type { DecisionService } from '../decisions/decision-service.ts';
import { parseDecisionRequest } from '../decisions/parse-request.ts';
import { BatchTooLarge, InvalidRequest } from '../errors.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

const context = (request: FastifyRequest) => ({
  requestedBy: request.principal?.key ?? 'anonymous',
  reqId: String(request.id),
});

/** POST /v1/decisions and POST /v1/decisions:batch (DESIGN.md's contract). */
export function decisionRoutes(
  app: FastifyInstance,
  service: DecisionService,
  options: { readsRequireAuth: boolean; batchBodyLimit: number },
): void {
  // Decisions are reads of the policy: open unless reads require credentials (then any valid key).
  const auth = options.readsRequireAuth ? {} : { auth: 'public' as const };

  app.post(
    '/v1/decisions',
    { config: { ...auth, openapi: { summary: 'Decide one route', tags: ['decisions'] } } },
    async (request, reply) => {
      const req = parseDecisionRequest(request.body);
      const response = await request.timing.measure('decide', () =>
        service.decide([req], context(request), (a) => a.text(0)),
      );
      // Already JSON (DecisionResponse): memoized decisions are serialized once, not per request.
      return reply.type(JSON_TYPE).send(response);
    },
  );

  app.post(
    '/v1/decisions::batch',
    {
      bodyLimit: options.batchBodyLimit,
      config: {
        ...auth,
        openapi: { summary: `Decide up to ${MAX_BATCH} routes, answered in order`, tags: ['decisions'] },
      },
    },
    async (request, reply) => {
      const body = request.body as { decisions?: unknown } | null;
      if (typeof body !== 'object' || body === null || !Array.isArray(body.decisions)) {
        throw withIssues(new InvalidRequest('/decisions: an array of decision requests is required'), [
          { pointer: '/decisions', rule: 'type', message: 'expected an array' },
        ]);
      }
      if (body.decisions.length > MAX_BATCH) {
        throw withIssues(
          new BatchTooLarge(
            `/decisions: ${body.decisions.length} routes; a batch holds at most ${MAX_BATCH}`,
          ),
          [{ pointer: '/decisions', rule: 'max_items', message: `at most ${MAX_BATCH}` }],
        );
      }
      const reqs = body.decisions.map((d, i) => parseDecisionRequest(d, `/decisions/${i}`));
      // The body is encoded while the audit records are being written, and sent as bytes.
      const answer = await request.timing.measure('decide', () =>
        service.decide(reqs, context(request), (a) => a.batchBody()),
      );
      return reply.type(JSON_TYPE).send(answer);
    },
  );
}
