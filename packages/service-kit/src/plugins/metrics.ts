import fp from 'fastify-plugin';
import type { FastifyPluginCallback } from 'fastify';
import { Registry, Histogram, collectDefaultMetrics } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/** Seconds; spans a cached lookup (sub-millisecond) to a slow batch. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  service: string;
  registry?: Registry;
}

const plugin: FastifyPluginCallback<MetricsOptions> = (app, opts, done) => {
  // One registry per app so several apps in one process (tests) do not collide.
  const registry = opts.registry ?? new Registry();
  registry.setDefaultLabels({ service: opts.service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'spine_http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  app.decorate('metrics', registry);

  // One labelled child per method, route and status, looked up by a string key: cheaper per request than
  // prom-client hashing the label object.
  const children = new Map<string, ReturnType<typeof duration.labels>>();
  app.addHook('onResponse', (request, reply, next) => {
    // The route template, never the raw URL: raw URLs would carry ids and values into label space.
    const route = request.routeOptions.url ?? '__unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let child = children.get(key);
    if (!child) {
      child = duration.labels({ method: request.method, route, status_code: String(reply.statusCode) });
      children.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    next();
  });

  app.get(
    '/metrics',
    { config: { auth: 'public', openapi: { summary: 'Prometheus metrics' } } },
    async (_req, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
  done();
};

export const metricsPlugin = fp(plugin, { name: 'spine-metrics' });
