import { runServer } from '@data-spine/service-kit';
import { buildApp } from './app.ts';
import { loadRouterConfig } from './config.ts';

const config = loadRouterConfig();
const app = await buildApp(config);
await runServer(app, {
  host: config.SPINE_HOST,
  port: config.SPINE_ROUTER_PORT,
  shutdownTimeoutMs: config.SPINE_SHUTDOWN_TIMEOUT_MS,
});
await app.cdc.runtime.start();
