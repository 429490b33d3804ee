import { runServer } from '@data-spine/service-kit';
import { buildApp } from './app.ts';
import { loadLineageConfig } from './config.ts';

const config = loadLineageConfig();
const app = await buildApp(config);
await runServer(app, {
  host: config.SPINE_HOST,
  port: config.SPINE_LINEAGE_PORT,
  shutdownTimeoutMs: config.SPINE_SHUTDOWN_TIMEOUT_MS,
});
