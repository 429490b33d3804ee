export { createApp } from './create-app.ts';
export type { AppOptions } from './create-app.ts';
export { runServer } from './run-server.ts';
export type { RunOptions, RunningServer } from './run-server.ts';
export { loadConfig, baseConfigShape, ConfigError } from './config.ts';
export { createLogger, SECRET_PATHS } from './logger.ts';
export type { Logger } from './logger.ts';
export { PiiFieldSet, redactPii, REDACTED } from './pii-redaction.ts';
export { defineError, withIssues, isCodedError } from './coded-error.ts';
export type { CodedError, CodedErrorConstructor } from './coded-error.ts';
export * as errors from './common-errors.ts';
export { classifyError, defaultErrorBody } from './plugins/error-handler.ts';
export type { ClassifiedError, ErrorSerializer } from './plugins/error-handler.ts';
export type { ReadinessCheck } from './plugins/health.ts';
export type { Principal, RouteAuth } from './plugins/auth.ts';
export { hasRole, coversResource } from './plugins/auth.ts';
export type { RouteDoc } from './plugins/openapi.ts';
export { ServerTiming } from './plugins/server-timing.ts';
export {
  hashSecret,
  verifySecret,
  generateApiKey,
  formatApiKey,
  parseApiKey,
  ROLES,
} from './auth/api-key.ts';
export type { Role, StoredCredential, ApiKey } from './auth/api-key.ts';
export { MemoryCredentialStore, ChainedCredentialStore } from './auth/credential-store.ts';
export type { CredentialStore } from './auth/credential-store.ts';
export { ensureAdminKey, readAdminKey, adminKeyPath } from './auth/admin-key-file.ts';
