import fp from 'fastify-plugin';
import type { FastifyPluginCallback } from 'fastify';

/** Phases a handler records; sent as `Server-Timing` (W3C) on every response, with `total` last. */
export class ServerTiming {
  readonly #start = process.hrtime.bigint();
  readonly #phases: Array<[string, number]> = [];

  record(name: string, ms: number): void {
    this.#phases.push([name, ms]);
  }

  /** Times `fn` (sync or async) as phase `name`. */
  async measure<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.record(name, Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }

  /** Starts phase `name`; call the returned function to end it. */
  start(name: string): () => void {
    const t0 = process.hrtime.bigint();
    return () => this.record(name, Number(process.hrtime.bigint() - t0) / 1e6);
  }

  header(): string {
    const total = Number(process.hrtime.bigint() - this.#start) / 1e6;
    const parts = this.#phases.map(([n, ms]) => `${n};dur=${ms.toFixed(3)}`);
    parts.push(`total;dur=${total.toFixed(3)}`);
    return parts.join(', ');
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    timing: ServerTiming;
  }
}

const plugin: FastifyPluginCallback = (app, _opts, done) => {
  app.decorateRequest('timing', null as unknown as ServerTiming);
  app.addHook('onRequest', (request, _reply, next) => {
    request.timing = new ServerTiming();
    next();
  });
  app.addHook('onSend', (request, reply, payload, next) => {
    // A request that failed before onRequest (e.g. a bad URL) has no timing yet.
    reply.header('server-timing', (request.timing ?? new ServerTiming()).header());
    next(null, payload);
  });
  done();
};

export const serverTimingPlugin = fp(plugin, { name: 'spine-server-timing' });
