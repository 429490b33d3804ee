import fp from 'fastify-plugin';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { parseApiKey, verifySecret } from '../auth/api-key.ts';
import type { Role } from '../auth/api-key.ts';
import type { CredentialStore } from '../auth/credential-store.ts';
import { ForbiddenError, UnauthorizedError } from '../common-errors.ts';

export interface Principal {
  key: string;
  roles: ReadonlySet<Role>;
  scopes: readonly string[];
}

/**
 * A route's requirement, in its `config.auth`:
 * - `'public'`: no credentials needed;
 * - `{ role, resource? }`: a principal with the role (admin has every role) whose scopes cover the resource.
 * Routes without it: writes need any valid credential; reads too when `readsRequireAuth`.
 */
export type RouteAuth = 'public' | { role: Role; resource?: (request: FastifyRequest) => string | undefined };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

export interface AuthOptions {
  store: CredentialStore;
  readsRequireAuth: boolean;
  realm?: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function credentialsFrom(header: string | undefined): { key: string; secret: string } | null | 'malformed' {
  if (!header) return null;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return parseApiKey(decoded) ?? 'malformed';
  }
  if (scheme === 'bearer') return parseApiKey(value) ?? 'malformed';
  return 'malformed';
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.has('admin') || principal.roles.has(role);
}

export function coversResource(principal: Principal, resource: string): boolean {
  return principal.roles.has('admin') || principal.scopes.some((s) => s === '*' || resource.startsWith(s));
}

const plugin: FastifyPluginCallback<AuthOptions> = (app, opts, done) => {
  const challenge = `Basic realm="${opts.realm ?? 'data-spine'}", charset="UTF-8"`;
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request, reply) => {
    const creds = credentialsFrom(request.headers.authorization);
    if (creds === null) return;
    if (creds === 'malformed') {
      reply.header('www-authenticate', challenge);
      throw new UnauthorizedError('the Authorization header must be Basic (key:secret) or Bearer key:secret');
    }
    const stored = await opts.store.find(creds.key);
    if (!stored || !verifySecret(creds.secret, stored.secretHash)) {
      reply.header('www-authenticate', challenge);
      throw new UnauthorizedError('unknown API key or wrong secret');
    }
    request.principal = { key: stored.key, roles: new Set(stored.roles), scopes: stored.scopes };
  });

  app.addHook('preHandler', async (request, reply) => {
    const rule = request.routeOptions.config?.auth;
    if (rule === 'public') return;
    const needed = rule !== undefined || !READ_METHODS.has(request.method) || opts.readsRequireAuth;
    if (!needed) return;
    const principal = request.principal;
    if (!principal) {
      reply.header('www-authenticate', challenge);
      throw new UnauthorizedError(
        'this request needs credentials: HTTP Basic key:secret, or Bearer key:secret',
      );
    }
    if (rule === undefined) return;
    if (!hasRole(principal, rule.role)) {
      throw new ForbiddenError(`API key ${principal.key} lacks the ${rule.role} role`);
    }
    const resource = rule.resource?.(request);
    if (resource !== undefined && !coversResource(principal, resource)) {
      throw new ForbiddenError(`API key ${principal.key} is not scoped to ${resource}`);
    }
  });
  done();
};

export const authPlugin = fp(plugin, { name: 'spine-auth' });
