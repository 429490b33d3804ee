import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistryService, SchemaInput } from '../registry/registry-service.ts';
import { ContractMetadataBody, parseBody, SchemaBody, truthy } from './bodies.ts';
import { pageOf } from './paging.ts';
import { versionView } from './views.ts';

type SubjectParams = { subject: string };
type VersionParams = { subject: string; version: string };
type Query = Record<string, string | undefined>;

const subjectOf = (r: FastifyRequest) => (r.params as SubjectParams).subject;

export function schemaInput(body: SchemaBody, query: Query): SchemaInput {
  return {
    schema: body.schema,
    schemaType: body.schemaType ?? 'AVRO',
    references: body.references ?? [],
    normalize: truthy(query.normalize),
  };
}

/** /subjects: list, register, look up, versions, delete (Confluent's paths and shapes). */
export function subjectRoutes(app: FastifyInstance, registry: RegistryService): void {
  const write = { auth: { role: 'producer' as const, resource: subjectOf } };

  app.get(
    '/subjects',
    {
      config: {
        openapi: { summary: 'List subjects (subjectPrefix, deleted, offset, limit)', tags: ['subjects'] },
      },
    },
    async (request) => {
      const q = request.query as Query;
      return registry.subjects({
        ...(q.subjectPrefix ? { prefix: q.subjectPrefix } : {}),
        deleted: truthy(q.deleted),
        ...pageOf(q, null),
      });
    },
  );

  app.post(
    '/subjects/:subject',
    { config: { openapi: { summary: 'Look up a schema under a subject', tags: ['subjects'] } } },
    async (request) => {
      const q = request.query as Query;
      const body = parseBody(SchemaBody, request.body);
      return versionView(await registry.lookup(subjectOf(request), schemaInput(body, q), truthy(q.deleted)));
    },
  );

  app.delete(
    '/subjects/:subject',
    {
      config: {
        ...write,
        openapi: { summary: 'Delete a subject (soft, then permanent)', tags: ['subjects'] },
      },
    },
    async (request) => {
      const q = request.query as Query;
      return registry.deleteSubject(subjectOf(request), truthy(q.permanent), request.principal?.key ?? null);
    },
  );

  app.get(
    '/subjects/:subject/versions',
    { config: { openapi: { summary: 'List versions', tags: ['subjects'] } } },
    async (request) => registry.versions(subjectOf(request), truthy((request.query as Query).deleted)),
  );

  app.post(
    '/subjects/:subject/versions',
    { config: { ...write, openapi: { summary: 'Register a schema', tags: ['subjects'] } } },
    async (request) => {
      const body = parseBody(SchemaBody, request.body);
      const result = await registry.register({
        ...schemaInput(body, request.query as Query),
        subject: subjectOf(request),
        ...(body.id !== undefined ? { id: body.id } : {}),
        // As in Confluent, a version of 0 or less is no version.
        ...(body.version !== undefined && body.version > 0 ? { version: body.version } : {}),
        metadata: parseBody(ContractMetadataBody, body.metadata ?? {}),
        principal: request.principal?.key ?? null,
        timing: (name, fn) => request.timing.measure(name, fn),
      });
      return { id: result.id };
    },
  );

  app.get(
    '/subjects/:subject/versions/:version',
    { config: { openapi: { summary: 'Get a version', tags: ['subjects'] } } },
    async (request) => {
      const p = request.params as VersionParams;
      return versionView(
        await registry.version(p.subject, p.version, truthy((request.query as Query).deleted)),
      );
    },
  );

  app.get(
    '/subjects/:subject/versions/:version/schema',
    { config: { openapi: { summary: 'Get a version, schema text only', tags: ['subjects'] } } },
    async (request, reply) => {
      const p = request.params as VersionParams;
      const v = await registry.version(p.subject, p.version, truthy((request.query as Query).deleted));
      return reply.type('application/vnd.schemaregistry.v1+json').send(v.schema.schema);
    },
  );

  app.get(
    '/subjects/:subject/versions/:version/referencedby',
    { config: { openapi: { summary: 'Schema ids that reference a version', tags: ['subjects'] } } },
    async (request) => {
      const p = request.params as VersionParams;
      // As Confluent: a soft-deleted version is still referenced by what references it.
      const v = await registry.version(p.subject, p.version, true);
      return registry.referencedBy(p.subject, v.version);
    },
  );

  app.delete(
    '/subjects/:subject/versions/:version',
    { config: { ...write, openapi: { summary: 'Delete a version', tags: ['subjects'] } } },
    async (request) => {
      const p = request.params as VersionParams;
      return registry.deleteVersion(
        p.subject,
        p.version,
        truthy((request.query as Query).permanent),
        request.principal?.key ?? null,
      );
    },
  );
}
