import type { FastifyInstance } from 'fastify';
import { isCodedError } from '@data-spine/service-kit';
import type { RegistryStore } from '../storage/registry-store.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A write refused for the key's role or scope (403) lands in `registry_audit` as refused: a producer key
 * trying to lower its own gates is worth a record. Only authenticated callers: an anonymous flood of 401s
 * must not be able to fill the table.
 */
export function auditForbiddenWrites(app: FastifyInstance, store: RegistryStore): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (READS.has(request.method) || !request.principal) return;
    if (!isCodedError(error) || error.code !== 'SPINE_FORBIDDEN') return;
    const subject = (request.params as { subject?: unknown } | undefined)?.subject;
    await store
      .audit({
        principal: request.principal.key,
        action: `${request.method} ${request.routeOptions.url ?? request.url}`,
        ...(typeof subject === 'string' ? { subject } : {}),
        result: 'refused',
        detail: { reason: error.message },
      })
      .catch((err: unknown) => request.log.error({ err }, 'could not audit a refused write'));
  });
}
