import { randomUUID } from 'node:crypto';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { authPlugin } from './plugins/auth.ts';
import type { CredentialStore } from './auth/credential-store.ts';
import { errorHandlerPlugin } from './plugins/error-handler.ts';
import type { ErrorSerializer } from './plugins/error-handler.ts';
import { healthPlugin } from './plugins/health.ts';
import type { ReadinessCheck } from './plugins/health.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { openApiPlugin } from './plugins/openapi.ts';
import { serverTimingPlugin } from './plugins/server-timing.ts';

export interface AppOptions {
  service: string;
  version: string;
  description?: string;
  logger: Logger;
  bodyLimitBytes: number;
  credentials: CredentialStore;
  readsRequireAuth: boolean;
  readiness?: ReadinessCheck[];
  /** Called on close, after the server stops accepting and in-flight requests finish. */
  closeDependencies?: () => Promise<void>;
  errorSerializer?: ErrorSerializer;
  metricsRegistry?: Registry;
  /** The longest path parameter accepted (414 beyond); Fastify's default of 100 is short for subject names. */
  maxParamLength?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The Fastify app every service starts from: request ids, Server-Timing, metrics, health, auth, coded JSON
 * errors and an OpenAPI document. It never listens; `runServer` does.
 */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes,
    // Keep-alive sockets would otherwise hold close() open until their idle timeout.
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // We log refusals and failures in the error handler, and every request at debug level on response.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: options.maxParamLength ?? 1024 },
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', (request, reply, next) => {
    reply.header('x-request-id', request.id);
    next();
  });
  // While draining, close each connection after its response so keep-alive sockets do not hold close() open.
  app.addHook('onSend', (_request, reply, payload, next) => {
    if (app.draining) reply.header('connection', 'close');
    next(null, payload);
  });
  app.addHook('onResponse', (request, reply, next) => {
    // Built only when it would be written: the log object costs on every request otherwise.
    if (!options.logger.isLevelEnabled('debug')) return next();
    request.log.debug(
      {
        method: request.method,
        route: request.routeOptions.url,
        statusCode: reply.statusCode,
        ms: reply.elapsedTime,
      },
      'request done',
    );
    next();
  });

  await app.register(openApiPlugin, {
    title: options.service,
    version: options.version,
    ...(options.description ? { description: options.description } : {}),
  });
  await app.register(serverTimingPlugin);
  await app.register(
    errorHandlerPlugin,
    options.errorSerializer ? { serializer: options.errorSerializer } : {},
  );
  await app.register(metricsPlugin, {
    service: options.service,
    ...(options.metricsRegistry ? { registry: options.metricsRegistry } : {}),
  });
  await app.register(authPlugin, { store: options.credentials, readsRequireAuth: options.readsRequireAuth });
  await app.register(healthPlugin, { checks: options.readiness ?? [] });

  if (options.closeDependencies) {
    const close = options.closeDependencies;
    app.addHook('onClose', async () => close());
  }
  return app;
}
