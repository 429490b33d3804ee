import fp from 'fastify-plugin';
import type { FastifyPluginCallback } from 'fastify';
import { Gauge } from 'prom-client';

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

  // Readiness as a metric too, so an alert can name the dependency. Evaluated at scrape time, at most
  // once per `cacheMs`, so frequent scrapes do not hammer the dependencies.
  const cacheMs = 5_000;
  let last: { at: number; results: CheckResult[] } | null = null;
  const evaluate = async (): Promise<CheckResult[]> => {
    if (last && Date.now() - last.at < cacheMs) return last.results;
    const results = await Promise.all(opts.checks.map((c) => runCheck(c, timeoutMs)));
    last = { at: Date.now(), results };
    return results;
  };
  if (app.hasDecorator('metrics') && opts.checks.length > 0) {
    new Gauge({
      name: 'spine_ready',
      help: '1 when the dependency answers the readiness check, 0 when not.',
      labelNames: ['dependency'],
      registers: [app.metrics],
      async collect() {
        const results = await evaluate();
        opts.checks.forEach((c, i) => this.set({ dependency: c.name }, results[i]?.ok ? 1 : 0));
      },
    });
  }

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
      last = { at: Date.now(), results };
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
