import { runServer } from '@data-spine/service-kit';
import { buildApp } from './app.ts';
import { loadGateConfig } from './config.ts';

const config = loadGateConfig();
const app = await buildApp(config);
await runServer(app, {
  host: config.SPINE_HOST,
  port: config.SPINE_GATE_PORT,
  shutdownTimeoutMs: config.SPINE_SHUTDOWN_TIMEOUT_MS,
});
