import type { FastifyInstance } from 'fastify';
import { buildApp, loadLineageConfig } from '@data-spine/lineage-collector';
import { createLogger } from '@data-spine/service-kit';
import { adminStore } from './registry.ts';

/** The real lineage collector app on a free port. */
export async function startCollector(databaseUrl: string): Promise<{ url: string; app: FastifyInstance }> {
  const app = await buildApp(
    loadLineageConfig({ SPINE_DATABASE_URL: databaseUrl, SPINE_LOG_LEVEL: 'silent' }),
    {
      logger: createLogger({ service: 'lineage-collector', level: 'silent' }),
      credentials: adminStore(),
    },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app };
}
