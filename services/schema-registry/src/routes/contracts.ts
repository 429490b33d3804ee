import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ContractService, DiffSide } from '../registry/contract-service.ts';
import { parseBody, SchemaBody } from './bodies.ts';
import { schemaInput } from './subjects.ts';

const subjectOf = (r: FastifyRequest) => (r.params as { subject: string }).subject;

const DiffSideBody = z.union([z.object({ version: z.union([z.string(), z.number().int()]) }), SchemaBody]);
const DiffBody = z.object({ from: DiffSideBody, to: DiffSideBody });
const RollbackBody = z.object({
  to: z.number().int().positive().optional(),
  reason: z.string().min(1).max(1000),
});
const LintConfigBody = z.object({ severities: z.record(z.string(), z.string()) });

function side(body: z.infer<typeof DiffSideBody>, query: Record<string, string | undefined>): DiffSide {
  if ('schema' in body) return { schema: schemaInput(body, query) };
  return { version: String(body.version) };
}

/** Ours: contracts (semver, classification, owner, retention, field tags), diff, rollback, lint config. */
export function contractRoutes(app: FastifyInstance, contracts: ContractService): void {
  const write = { auth: { role: 'producer' as const, resource: subjectOf } };
  const admin = { auth: { role: 'admin' as const } };

  app.get(
    '/contracts/:subject/versions/:version',
    {
      config: {
        openapi: {
          summary: 'A version as a data contract, with every field and its tags',
          tags: ['contracts'],
        },
      },
    },
    async (request) => {
      const p = request.params as { subject: string; version: string };
      return contracts.contract(p.subject, p.version);
    },
  );
  app.post(
    '/contracts/:subject/diff',
    {
      config: {
        openapi: { summary: 'Field changes and compatibility between two versions', tags: ['contracts'] },
      },
    },
    async (request) => {
      const body = parseBody(DiffBody, request.body);
      const q = request.query as Record<string, string | undefined>;
      return request.timing.measure('compatibility', () =>
        contracts.diff(subjectOf(request), side(body.from, q), side(body.to, q)),
      );
    },
  );
  app.post(
    '/contracts/:subject/rollback',
    {
      config: { ...write, openapi: { summary: 'Make an earlier version latest again', tags: ['contracts'] } },
    },
    async (request) => {
      const body = parseBody(RollbackBody, request.body);
      return request.timing.measure('store', () =>
        contracts.rollback(subjectOf(request), body.to ?? null, body.reason, request.principal?.key ?? null),
      );
    },
  );
  app.get(
    '/lint/config',
    { config: { openapi: { summary: 'Global lint severities', tags: ['lint'] } } },
    async () => contracts.lintConfig(null),
  );
  app.put(
    '/lint/config',
    { config: { ...admin, openapi: { summary: 'Set global lint severities', tags: ['lint'] } } },
    async (request) =>
      contracts.setLintConfig(
        null,
        parseBody(LintConfigBody, request.body).severities,
        request.principal?.key ?? null,
      ),
  );
  app.get(
    '/lint/config/:subject',
    { config: { openapi: { summary: "A subject's lint severities", tags: ['lint'] } } },
    async (request) => contracts.lintConfig(subjectOf(request)),
  );
  app.put(
    '/lint/config/:subject',
    // Admin only: lint is a gate on the producer's own registrations (`pii-untagged` blocks).
    { config: { ...admin, openapi: { summary: "Set a subject's lint severities", tags: ['lint'] } } },
    async (request) =>
      contracts.setLintConfig(
        subjectOf(request),
        parseBody(LintConfigBody, request.body).severities,
        request.principal?.key ?? null,
      ),
  );
}
