import type { FastifyInstance } from 'fastify';

export interface RunOptions {
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  signals?: NodeJS.Signals[];
  /** Exit the process when shutdown ends (true for real servers, false in tests). */
  exit?: boolean;
}

export interface RunningServer {
  url: string;
  /** Drains and closes; resolves when everything is closed or the bound passes. */
  shutdown: (reason: string) => Promise<void>;
}

/**
 * Listens, and on SIGTERM/SIGINT: readiness turns 503, the listener stops accepting, in-flight requests
 * finish, dependencies close (onClose hooks), then the process exits, within `shutdownTimeoutMs`.
 */
export async function runServer(app: FastifyInstance, options: RunOptions): Promise<RunningServer> {
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      app.log.info({ reason }, 'shutting down');
      app.draining = true;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), options.shutdownTimeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([app.close().then(() => 'closed' as const), bound]);
      clearTimeout(timer);
      if (outcome === 'timeout')
        app.log.warn({ ms: options.shutdownTimeoutMs }, 'shutdown bound reached; exiting anyway');
      else app.log.info('closed');
      if (options.exit ?? true) process.exit(outcome === 'closed' ? 0 : 1);
    })();
    return closing;
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => void shutdown(signal));
  }
  app.log.info({ url }, 'listening');
  return { url, shutdown };
}
