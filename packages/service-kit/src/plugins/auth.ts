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

/** How long a verified credential is trusted without asking the store again (bounds revocation delay). */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 1_000;

const plugin: FastifyPluginCallback<AuthOptions> = (app, opts, done) => {
  const challenge = `Basic realm="${opts.realm ?? 'data-spine'}", charset="UTF-8"`;
  // Authorization header -> principal, so a client sending the same credentials on every request is
  // verified once a minute rather than per request (an HMAC and a store lookup each).
  const verified = new Map<string, { principal: Principal; until: number }>();
  app.decorateRequest('principal', null);

  const authenticate = async (header: string): Promise<Principal | Error> => {
    const creds = credentialsFrom(header);
    if (creds === null || creds === 'malformed')
      return new UnauthorizedError(
        'the Authorization header must be Basic (key:secret) or Bearer key:secret',
      );
    const stored = await opts.store.find(creds.key);
    if (!stored || !verifySecret(creds.secret, stored.secretHash))
      return new UnauthorizedError('unknown API key or wrong secret');
    const principal: Principal = { key: stored.key, roles: new Set(stored.roles), scopes: stored.scopes };
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
    verified.set(header, { principal, until: Date.now() + VERIFIED_TTL_MS });
    return principal;
  };

  // Callback-style hooks: a request without credentials (most reads) costs no promise at all.
  app.addHook('onRequest', (request, reply, next) => {
    const header = request.headers.authorization;
    if (!header) return next();
    const hit = verified.get(header);
    if (hit && hit.until > Date.now()) {
      request.principal = hit.principal;
      return next();
    }
    authenticate(header).then(
      (result) => {
        if (result instanceof Error) {
          reply.header('www-authenticate', challenge);
          return next(result);
        }
        request.principal = result;
        next();
      },
      (err: unknown) => next(err as Error),
    );
  });

  app.addHook('preHandler', (request, reply, next) => {
    const rule = request.routeOptions.config?.auth;
    if (rule === 'public') return next();
    const needed = rule !== undefined || !READ_METHODS.has(request.method) || opts.readsRequireAuth;
    if (!needed) return next();
    const principal = request.principal;
    if (!principal) {
      reply.header('www-authenticate', challenge);
      return next(
        new UnauthorizedError('this request needs credentials: HTTP Basic key:secret, or Bearer key:secret'),
      );
    }
    if (rule === undefined) return next();
    if (!hasRole(principal, rule.role))
      return next(new ForbiddenError(`API key ${principal.key} lacks the ${rule.role} role`));
    const resource = rule.resource?.(request);
    if (resource !== undefined && !coversResource(principal, resource))
      return next(new ForbiddenError(`API key ${principal.key} is not scoped to ${resource}`));
    next();
  });
  done();
};

export const authPlugin = fp(plugin, { name: 'spine-auth' });
