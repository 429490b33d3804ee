import { describe, expect, it } from 'vitest';
import { createApp, createLogger, MemoryCredentialStore, runServer } from '../src/index.ts';

async function slowApp(onClose: () => void) {
  const app = await createApp({
    service: 'shutdown-test',
    version: '0',
    logger: createLogger({ service: 'shutdown-test', level: 'silent' }),
    bodyLimitBytes: 1024,
    credentials: new MemoryCredentialStore(),
    readsRequireAuth: false,
    closeDependencies: async () => onClose(),
  });
  app.get('/slow', async () => {
    await new Promise((r) => setTimeout(r, 300));
    return { finished: true };
  });
  app.get('/hang', () => new Promise(() => {}));
  return app;
}

describe('runServer', () => {
  it('drains in-flight requests, then closes dependencies, and refuses new connections', async () => {
    let closed = false;
    const app = await slowApp(() => (closed = true));
    const server = await runServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 5_000,
      exit: false,
      signals: [],
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const inFlight = fetch(`${server.url}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const shutdown = server.shutdown('test');
    expect(app.draining).toBe(true);
    expect(await inFlight).toEqual({ finished: true });
    await shutdown;
    expect(closed).toBe(true);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('gives up waiting at the bound', async () => {
    const app = await slowApp(() => {});
    const server = await runServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 300,
      exit: false,
      signals: [],
    });
    void fetch(`${server.url}/hang`).catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await server.shutdown('test');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
