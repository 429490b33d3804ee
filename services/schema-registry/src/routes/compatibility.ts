import type { FastifyInstance } from 'fastify';
import type { RegistryService } from '../registry/registry-service.ts';
import { InvalidSchema } from '../errors.ts';
import { ContractMetadataBody, parseBody, SchemaBody, truthy } from './bodies.ts';
import { schemaInput } from './subjects.ts';

type Query = Record<string, string | undefined>;

/** /compatibility: test a schema against one version, or against all that the subject's level requires. */
export function compatibilityRoutes(app: FastifyInstance, registry: RegistryService): void {
  const check = async (
    subject: string,
    version: string,
    body: unknown,
    query: Query,
    timing: { measure: <T>(n: string, f: () => Promise<T>) => Promise<T> },
  ) => {
    const input = schemaInput(parseBody(SchemaBody, body), query);
    const verbose = truthy(query.verbose);
    let messages: string[];
    try {
      messages = await timing.measure('compatibility', () =>
        registry.checkCompatibility(subject, version, input),
      );
    } catch (err) {
      // As Confluent: with verbose, a schema that does not parse is incompatible, and says why.
      if (!(verbose && err instanceof InvalidSchema)) throw err;
      messages = [err.message];
    }
    return { is_compatible: messages.length === 0, ...(verbose ? { messages } : {}) };
  };
  app.post(
    '/compatibility/subjects/:subject/versions/:version',
    { config: { openapi: { summary: 'Test against one version', tags: ['compatibility'] } } },
    async (request) => {
      const p = request.params as { subject: string; version: string };
      return check(p.subject, p.version, request.body, request.query as Query, request.timing);
    },
  );
  app.post(
    '/schemas/:subject/validate',
    { config: { openapi: { summary: 'Lint and compatibility, without registering', tags: ['contracts'] } } },
    async (request) => {
      const body = parseBody(SchemaBody, request.body);
      const subject = (request.params as { subject: string }).subject;
      return request.timing.measure('lint+compatibility', () =>
        registry.validate(
          subject,
          schemaInput(body, request.query as Query),
          parseBody(ContractMetadataBody, body.metadata ?? {}),
        ),
      );
    },
  );
  app.post(
    '/compatibility/subjects/:subject/versions',
    {
      config: {
        openapi: { summary: 'Test against the versions the level requires', tags: ['compatibility'] },
      },
    },
    async (request) => {
      const p = request.params as { subject: string };
      return check(p.subject, 'all', request.body, request.query as Query, request.timing);
    },
  );
}
