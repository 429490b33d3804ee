import type { FastifyInstance, FastifyRequest } from 'fastify';
import { COMPATIBILITY_LEVELS } from '../config.ts';
import type { CompatibilityLevel } from '../config.ts';
import * as E from '../errors.ts';
import { MODES } from '../registry/registry-modes.ts';
import type { Mode } from '../registry/registry-modes.ts';
import { checkSubjectName } from '../registry/registry-service.ts';
import type { RegistryService } from '../registry/registry-service.ts';
import { CompatibilityBody, ModeBody, parseBody, truthy } from './bodies.ts';

type Query = Record<string, string | undefined>;
const subjectOf = (r: FastifyRequest) => (r.params as { subject: string }).subject;
const principalOf = (r: FastifyRequest) => r.principal?.key ?? null;

function level(value: string): CompatibilityLevel {
  const upper = value.toUpperCase();
  if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(upper)) throw new E.InvalidCompatibilityLevel();
  return upper as CompatibilityLevel;
}

function mode(value: string): Mode {
  const upper = value.toUpperCase();
  if (!(MODES as readonly string[]).includes(upper)) throw new E.InvalidMode();
  return upper as Mode;
}

/**
 * /config and /mode, global and per subject. PUT takes `compatibility`; GET answers `compatibilityLevel`.
 * Every write needs the admin role: a producer key, though scoped to its subjects, must not lower the
 * gates (compatibility, mode) its own registrations pass through.
 */
export function configRoutes(app: FastifyInstance, registry: RegistryService): void {
  const admin = { auth: { role: 'admin' as const } };

  app.get(
    '/config',
    { config: { openapi: { summary: 'Global compatibility level', tags: ['config'] } } },
    async () => ({
      compatibilityLevel: await registry.compatibilityLevel(null),
    }),
  );
  app.put(
    '/config',
    { config: { ...admin, openapi: { summary: 'Set the global compatibility level', tags: ['config'] } } },
    async (request) => {
      const body = parseBody(CompatibilityBody, request.body);
      await registry.setCompatibility(null, level(body.compatibility), principalOf(request));
      return { compatibility: level(body.compatibility) };
    },
  );
  app.get(
    '/config/:subject',
    { config: { openapi: { summary: "A subject's compatibility level", tags: ['config'] } } },
    async (request) => {
      const subject = subjectOf(request);
      const own = await registry.subjectCompatibility(subject);
      if (own) return { compatibilityLevel: own };
      if (truthy((request.query as Query).defaultToGlobal))
        return { compatibilityLevel: await registry.compatibilityLevel(null) };
      throw new E.SubjectCompatibilityNotConfigured(subject);
    },
  );
  app.put(
    '/config/:subject',
    {
      config: {
        ...admin,
        openapi: { summary: "Set a subject's compatibility level", tags: ['config'] },
      },
    },
    async (request) => {
      const body = parseBody(CompatibilityBody, request.body);
      checkSubjectName(subjectOf(request));
      await registry.setCompatibility(subjectOf(request), level(body.compatibility), principalOf(request));
      return { compatibility: level(body.compatibility) };
    },
  );
  app.delete(
    '/config/:subject',
    {
      config: {
        ...admin,
        openapi: { summary: "Remove a subject's compatibility level", tags: ['config'] },
      },
    },
    async (request) => {
      const subject = subjectOf(request);
      const own = await registry.subjectCompatibility(subject);
      // Confluent's deleteSubjectConfig answers 40401 (not 40408) when the subject has no level.
      if (!own) throw new E.SubjectNotFound(subject);
      await registry.setCompatibility(subject, null, principalOf(request));
      return { compatibilityLevel: own };
    },
  );

  app.get('/mode', { config: { openapi: { summary: 'Global mode', tags: ['mode'] } } }, async () => ({
    mode: await registry.mode(null),
  }));
  app.put(
    '/mode',
    {
      config: {
        ...admin,
        openapi: {
          summary: 'Set the global mode (IMPORT where subjects exist needs force=true)',
          tags: ['mode'],
        },
      },
    },
    async (request) => {
      const m = mode(parseBody(ModeBody, request.body).mode);
      const force = truthy((request.query as Query).force);
      await registry.setMode(null, m, { force, principal: principalOf(request) });
      return { mode: m };
    },
  );
  app.get(
    '/mode/:subject',
    { config: { openapi: { summary: "A subject's mode", tags: ['mode'] } } },
    async (request) => {
      const subject = subjectOf(request);
      const own = await registry.subjectMode(subject);
      if (own) return { mode: own };
      if (truthy((request.query as Query).defaultToGlobal)) return { mode: await registry.mode(null) };
      throw new E.SubjectModeNotConfigured(subject);
    },
  );
  app.put(
    '/mode/:subject',
    {
      config: {
        ...admin,
        openapi: {
          summary: "Set a subject's mode (IMPORT where it has versions needs force=true)",
          tags: ['mode'],
        },
      },
    },
    async (request) => {
      const m = mode(parseBody(ModeBody, request.body).mode);
      const force = truthy((request.query as Query).force);
      checkSubjectName(subjectOf(request));
      await registry.setMode(subjectOf(request), m, { force, principal: principalOf(request) });
      return { mode: m };
    },
  );
  app.delete(
    '/mode/:subject',
    {
      config: {
        ...admin,
        openapi: { summary: "Remove a subject's mode (it follows the global one again)", tags: ['mode'] },
      },
    },
    async (request) => ({ mode: await registry.deleteSubjectMode(subjectOf(request), principalOf(request)) }),
  );
}
