import { runServer } from '@data-spine/service-kit';
import { buildApp } from './app.ts';
import { loadRegistryConfig } from './config.ts';
import { DEFAULT_FORMATS } from './formats/default-formats.ts';

const config = loadRegistryConfig();
const app = await buildApp(config, { formats: DEFAULT_FORMATS });
await runServer(app, {
  host: config.SPINE_HOST,
  port: config.SPINE_REGISTRY_PORT,
  shutdownTimeoutMs: config.SPINE_SHUTDOWN_TIMEOUT_MS,
});
