export { buildApp } from './app.ts';
export type { LineageDeps } from './app.ts';
export { loadLineageConfig } from './config.ts';
export type { LineageConfig } from './config.ts';
export { OpenLineageValidator } from './validation/openlineage-validator.ts';
export { canonicalJson, eventHash } from './ingest/canonical-json.ts';
