import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import {
  ChainedCredentialStore,
  createApp,
  createLogger,
  hashSecret,
  MemoryCredentialStore,
  parseApiKey,
} from '@data-spine/service-kit';
import type { CredentialStore, Logger } from '@data-spine/service-kit';
import type { RegistryConfig } from './config.ts';
import type { SchemaFormat } from './formats/schema-format.ts';
import { FormatCatalog } from './registry/format-catalog.ts';
import { RegistryService } from './registry/registry-service.ts';
import { Counter } from 'prom-client';
import { ContractService } from './registry/contract-service.ts';
import type { RegistryObserver } from './registry/registry-service.ts';
import { compatibilityRoutes } from './routes/compatibility.ts';
import { auditForbiddenWrites } from './plugins/audit-forbidden-writes.ts';
import { adminKeyRoutes } from './routes/admin-keys.ts';
import { contractRoutes } from './routes/contracts.ts';
import { configRoutes } from './routes/config-and-mode.ts';
import { confluentErrorBody } from './routes/confluent-errors.ts';
import { schemaRoutes } from './routes/schemas.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { ApiKeyStore } from './storage/api-key-store.ts';
import { RegistryStore } from './storage/registry-store.ts';

export const CONTENT_TYPES = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
] as const;

export interface RegistryDeps {
  formats: readonly SchemaFormat[];
  logger?: Logger;
  /** Replaces the admin key file; keys issued through `/admin/keys` are looked up after it either way. */
  credentials?: CredentialStore;
  store?: RegistryStore;
}

/** The admin key from `<SPINE_DATA_DIR>/admin-key` (or SPINE_ADMIN_KEY_FILE), stored hashed in memory. */
async function adminCredentials(config: RegistryConfig): Promise<CredentialStore> {
  const store = new MemoryCredentialStore();
  const file = config.SPINE_ADMIN_KEY_FILE;
  if (file) {
    const key = parseApiKey((await readFile(file, 'utf8')).trim());
    if (!key) throw new Error(`${file} is not of the form key:secret`);
    store.put({ key: key.key, secretHash: hashSecret(key.secret), roles: ['admin'], scopes: ['*'] });
  }
  return store;
}

/** Builds the registry's app; never listens. */
export async function buildApp(config: RegistryConfig, deps: RegistryDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger({ service: 'schema-registry', level: config.SPINE_LOG_LEVEL });
  const store = deps.store ?? new RegistryStore(config.SPINE_DATABASE_URL);
  await store.migrate();
  const apiKeys = new ApiKeyStore(store.db);
  // Counters live in the app's metrics registry, which exists once the app does.
  const observer: RegistryObserver = { registered() {}, incompatible() {}, lintFailed() {} };
  const registry = new RegistryService(
    store,
    new FormatCatalog(deps.formats),
    config.SPINE_REGISTRY_DEFAULT_COMPATIBILITY,
    observer,
    { maxSchemaBytes: config.SPINE_REGISTRY_MAX_SCHEMA_BYTES },
  );
  const app = await createApp({
    service: 'schema-registry',
    version: '0.1.0',
    description: 'Confluent Schema Registry compatible API with data contracts.',
    logger,
    bodyLimitBytes: config.SPINE_BODY_LIMIT_BYTES,
    credentials: new ChainedCredentialStore([deps.credentials ?? (await adminCredentials(config)), apiKeys]),
    readsRequireAuth: config.SPINE_READS_REQUIRE_AUTH,
    readiness: [{ name: 'postgres', check: () => store.ping() }],
    closeDependencies: () => store.close(),
    errorSerializer: confluentErrorBody,
  });
  // Confluent consumes only JSON media types: a text/plain body is a 415 there, not a string to validate.
  app.removeContentTypeParser('text/plain');
  // Confluent clients send (and accept) these media types; the body is JSON in every case.
  app.addContentTypeParser(
    [
      'application/vnd.schemaregistry.v1+json',
      'application/vnd.schemaregistry+json',
      'application/octet-stream',
    ],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'ignore'),
  );
  app.addHook('onSend', (_request, reply, payload, next) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) {
      reply.header('content-type', 'application/vnd.schemaregistry.v1+json');
    }
    next(null, payload);
  });
  app.get(
    '/',
    { config: { auth: 'public', openapi: { summary: 'Root (Confluent answers {})' } } },
    async () => ({}),
  );
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['schema_type'], registers: [app.metrics] });
  const registrations = counter('spine_registry_registrations_total', 'Schema versions registered.');
  const incompatible = counter(
    'spine_registry_incompatible_total',
    'Registrations refused as incompatible with the subject level.',
  );
  const lintFailures = counter('spine_registry_lint_failures_total', 'Registrations refused by lint errors.');
  observer.registered = (t) => registrations.inc({ schema_type: t });
  observer.incompatible = (t) => incompatible.inc({ schema_type: t });
  observer.lintFailed = (t) => lintFailures.inc({ schema_type: t });
  auditForbiddenWrites(app, store);
  subjectRoutes(app, registry);
  contractRoutes(app, new ContractService(registry));
  schemaRoutes(app, registry);
  configRoutes(app, registry);
  compatibilityRoutes(app, registry);
  adminKeyRoutes(app, apiKeys);
  return app;
}
