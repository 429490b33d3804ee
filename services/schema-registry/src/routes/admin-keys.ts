import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { parseWith } from '@data-spine/contracts';
import { errors, generateApiKey, hashSecret, withIssues } from '@data-spine/service-kit';
import type { ApiKeyStore } from '../storage/api-key-store.ts';

/** A producer writes the subjects its scopes prefix; a reader only reads (when reads need credentials). */
const CreateKeyBody = z.object({
  role: z.enum(['producer', 'reader']).default('producer'),
  scopes: z.array(z.string().min(1).max(255)).min(1).max(100),
});

/**
 * Ours: API keys for producers, issued by an admin. The secret is answered once, at creation, and stored
 * only as a salted hash; a revoked key is refused once the auth cache lets go of it (at most a minute).
 */
export function adminKeyRoutes(app: FastifyInstance, keys: ApiKeyStore): void {
  const admin = { auth: { role: 'admin' as const } };

  app.post(
    '/admin/keys',
    {
      config: {
        ...admin,
        openapi: { summary: 'Issue an API key scoped to subject prefixes', tags: ['admin'] },
      },
    },
    async (request) => {
      const parsed = parseWith(CreateKeyBody, request.body);
      if (!parsed.ok) {
        const first = parsed.issues[0];
        throw withIssues(
          new errors.ValidationError(`${first?.pointer || '/'}: ${first?.message ?? 'invalid body'}`),
          parsed.issues,
        );
      }
      const body = parsed.value;
      const apiKey = generateApiKey('spk');
      const roles = [body.role];
      await keys.create(
        { key: apiKey.key, secretHash: hashSecret(apiKey.secret), roles, scopes: body.scopes },
        request.principal?.key ?? null,
      );
      return { key: apiKey.key, secret: apiKey.secret, roles, scopes: body.scopes };
    },
  );
  app.get(
    '/admin/keys',
    { config: { ...admin, openapi: { summary: 'API keys issued (never their secrets)', tags: ['admin'] } } },
    async () => keys.list(),
  );
  app.delete(
    '/admin/keys/:key',
    { config: { ...admin, openapi: { summary: 'Revoke an API key', tags: ['admin'] } } },
    async (request) => {
      const key = (request.params as { key: string }).key;
      if (!(await keys.revoke(key, request.principal?.key ?? null)))
        throw new errors.NotFoundError(`API key ${key} does not exist or is revoked already`);
      return { key, revoked: true };
    },
  );
}
