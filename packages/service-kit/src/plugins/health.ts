import fp from 'fastify-plugin';
import type { FastifyPluginCallback } from 'fastify';

/** A dependency a service needs before it can do its work (a database, the gate, a broker). */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (with a reason a person can act on) when not. */
  check: (signal: AbortSignal) => Promise<void>;
}

export interface HealthOptions {
  checks: ReadinessCheck[];
  timeoutMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set when shutdown starts; /readyz answers 503 from then on so load balancers drain us. */
    draining: boolean;
  }
}

interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const t0 = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await Promise.race([
      check.check(signal),
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), {
          once: true,
        }),
      ),
    ]);
    return { ok: true, ms: performance.now() - t0 };
  } catch (err) {
    return { ok: false, ms: performance.now() - t0, error: (err as Error).message };
  }
}

const plugin: FastifyPluginCallback<HealthOptions> = (app, opts, done) => {
  const timeoutMs = opts.timeoutMs ?? 2000;
  app.decorate('draining', false);

  app.get(
    '/healthz',
    { config: { auth: 'public', openapi: { summary: 'Liveness: the process answers' } } },
    async () => ({
      status: 'ok',
    }),
  );

  app.get(
    '/readyz',
    { config: { auth: 'public', openapi: { summary: 'Readiness: every dependency answers' } } },
    async (request, reply) => {
      if (app.draining) {
        return reply.code(503).send({ status: 'draining', code: 'SPINE_SHUTTING_DOWN', checks: {} });
      }
      const results = await Promise.all(opts.checks.map((c) => runCheck(c, timeoutMs)));
      const checks: Record<string, CheckResult> = {};
      opts.checks.forEach((c, i) => (checks[c.name] = results[i] as CheckResult));
      const failed = opts.checks.filter((_, i) => !results[i]?.ok).map((c) => c.name);
      if (failed.length > 0) {
        request.log.warn({ failed }, 'not ready');
        return reply.code(503).send({ status: 'not_ready', code: 'SPINE_NOT_READY', failed, checks });
      }
      return { status: 'ready', checks };
    },
  );
  done();
};

export const healthPlugin = fp(plugin, { name: 'spine-health' });
