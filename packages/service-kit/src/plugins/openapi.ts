import fp from 'fastify-plugin';
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';

/** What a route says about itself for the OpenAPI document, in `config.openapi`. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tags?: string[];
  body?: z.ZodType;
  response?: Record<number, z.ZodType | string>;
  hide?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: RouteDoc;
  }
}

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
}

interface Operation {
  summary: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: 'path'; required: true; schema: { type: 'string' } }>;
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

function toJsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  } catch {
    return {};
  }
}

/** Fastify's `:param` paths in OpenAPI's `{param}` form. */
function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

/** Collects every route's `config.openapi` and serves the document at `/openapi.json`. */
const plugin: FastifyPluginCallback<OpenApiOptions> = (app, opts, done) => {
  const paths: Record<string, Record<string, Operation>> = {};
  app.addHook('onRoute', (route) => {
    const doc = route.config?.openapi;
    if (doc?.hide) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const { path, params } = openApiPath(route.url);
    for (const method of methods) {
      const op: Operation = {
        summary: doc?.summary ?? `${method} ${route.url}`,
        ...(doc?.description ? { description: doc.description } : {}),
        ...(doc?.tags ? { tags: doc.tags } : {}),
        ...(params.length
          ? {
              parameters: params.map((name) => ({
                name,
                in: 'path' as const,
                required: true as const,
                schema: { type: 'string' as const },
              })),
            }
          : {}),
        responses: {},
      };
      if (doc?.body) op.requestBody = { content: { 'application/json': { schema: toJsonSchema(doc.body) } } };
      for (const [status, res] of Object.entries(doc?.response ?? { 200: 'OK' })) {
        op.responses[status] =
          typeof res === 'string'
            ? { description: res }
            : { description: 'OK', content: { 'application/json': { schema: toJsonSchema(res) } } };
      }
      (paths[path] ??= {})[method.toLowerCase()] = op;
    }
  });
  app.get(
    '/openapi.json',
    { config: { auth: 'public', openapi: { summary: 'This document', hide: true } } },
    async () => ({
      openapi: '3.1.0',
      info: {
        title: opts.title,
        version: opts.version,
        ...(opts.description ? { description: opts.description } : {}),
      },
      paths,
    }),
  );
  done();
};

export const openApiPlugin = fp(plugin, { name: 'spine-openapi' });
