import type { FastifyInstance } from 'fastify';
import type { RegistryService } from '../registry/registry-service.ts';
import { SCHEMA_LIST_DEFAULT_LIMIT, SCHEMA_LIST_MAX_LIMIT } from '../registry/registry-service.ts';
import { truthy } from './bodies.ts';
import { pageOf } from './paging.ts';
import { schemaView } from './views.ts';

type IdParams = { id: string };
type Query = Record<string, string | undefined>;

const idOf = (params: unknown) => Number((params as IdParams).id);

/** /schemas: by id (what serializers call for every id they meet), types, and listing. */
export function schemaRoutes(app: FastifyInstance, registry: RegistryService): void {
  // Serializers fetch every id they meet, and a schema never changes: keep each answer serialized once.
  const byIdBody = new Map<number, string>();

  app.get(
    '/schemas/types',
    { config: { openapi: { summary: 'Supported schema types', tags: ['schemas'] } } },
    async () => registry.schemaTypes(),
  );

  app.get(
    '/schemas/ids/:id',
    { config: { openapi: { summary: 'Get a schema by id', tags: ['schemas'] } } },
    async (request, reply) => {
      const id = idOf(request.params);
      let body = byIdBody.get(id);
      if (body === undefined) {
        body = JSON.stringify(schemaView(await registry.schemaById(id)));
        byIdBody.set(id, body);
      }
      return reply.type('application/vnd.schemaregistry.v1+json').send(body);
    },
  );

  app.get(
    '/schemas/ids/:id/schema',
    { config: { openapi: { summary: 'Get a schema by id, text only', tags: ['schemas'] } } },
    async (request, reply) =>
      reply
        .type('application/vnd.schemaregistry.v1+json')
        .send((await registry.schemaById(idOf(request.params))).schema),
  );

  app.get(
    '/schemas/ids/:id/subjects',
    { config: { openapi: { summary: 'Subjects using a schema id', tags: ['schemas'] } } },
    async (request) => {
      const deleted = truthy((request.query as Query).deleted);
      return [...new Set((await registry.usesOf(idOf(request.params), deleted)).map((u) => u.subject))];
    },
  );

  app.get(
    '/schemas/ids/:id/versions',
    { config: { openapi: { summary: 'Subject versions using a schema id', tags: ['schemas'] } } },
    async (request) => registry.usesOf(idOf(request.params), truthy((request.query as Query).deleted)),
  );

  app.get(
    '/schemas',
    {
      config: {
        openapi: {
          summary: 'List schemas (subjectPrefix, deleted, latestOnly, offset, limit)',
          tags: ['schemas'],
        },
      },
    },
    async (request) => {
      const q = request.query as Query;
      const page = pageOf(q, SCHEMA_LIST_DEFAULT_LIMIT, SCHEMA_LIST_MAX_LIMIT);
      const rows = await registry.listSchemas({
        ...(q.subjectPrefix ? { subjectPrefix: q.subjectPrefix } : {}),
        deleted: truthy(q.deleted),
        latestOnly: truthy(q.latestOnly),
        offset: page.offset,
        limit: page.limit ?? SCHEMA_LIST_DEFAULT_LIMIT,
      });
      return rows.map((r) => ({
        subject: r.subject,
        version: r.version,
        id: r.id,
        ...(r.schemaType === 'AVRO' ? {} : { schemaType: r.schemaType }),
        ...(r.references.length ? { references: r.references } : {}),
        schema: r.schema,
      }));
    },
  );
}
