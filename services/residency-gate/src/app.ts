import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { KeyObject } from 'node:crypto';
import { Registry } from 'prom-client';
import {
  createApp,
  createLogger,
  hashSecret,
  MemoryCredentialStore,
  parseApiKey,
} from '@data-spine/service-kit';
import type { CredentialStore, Logger } from '@data-spine/service-kit';
import { AuditLog } from './audit/audit-log.ts';
import { AuditStore } from './audit/audit-store.ts';
import { loadOrCreateSigningKey, publicKeysFromPem } from './audit/signing-key.ts';
import type { SigningKey } from './audit/signing-key.ts';
import type { GateConfig } from './config.ts';
import { ContractLookup } from './contracts-lookup/contract-lookup.ts';
import { DecisionService } from './decisions/decision-service.ts';
import { PolicyManager } from './policy/policy-manager.ts';
import { auditRoutes } from './routes/audit.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { policyRoutes } from './routes/policy.ts';

export interface GateDeps {
  logger?: Logger;
  credentials?: CredentialStore;
  /** The audit checkpoint key; default: SPINE_GATE_AUDIT_KEY_FILE or `<SPINE_DATA_DIR>/gate-audit-key.pem`. */
  signingKey?: SigningKey;
  /** Keys policy bundles may be signed with; default: SPINE_GATE_POLICY_KEYS_FILE. */
  trustedKeys?: KeyObject[];
}

async function adminKey(config: GateConfig): Promise<{ key: string; secret: string } | null> {
  const file = config.SPINE_ADMIN_KEY_FILE;
  if (!file) return null;
  const key = parseApiKey((await readFile(file, 'utf8')).trim());
  if (!key) throw new Error(`${file} is not of the form key:secret`);
  return key;
}

/** Builds the gate's app; never listens. A matrix that cannot be loaded at start fails the build. */
export async function buildApp(config: GateConfig, deps: GateDeps = {}): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger({ service: 'residency-gate', level: config.SPINE_LOG_LEVEL });
  const registry = new Registry();
  const admin = await adminKey(config);
  let credentials = deps.credentials;
  if (!credentials) {
    const store = new MemoryCredentialStore();
    if (admin)
      store.put({ key: admin.key, secretHash: hashSecret(admin.secret), roles: ['admin'], scopes: ['*'] });
    credentials = store;
  }
  const trustedKeys =
    deps.trustedKeys ??
    (config.SPINE_GATE_POLICY_KEYS_FILE
      ? publicKeysFromPem(await readFile(config.SPINE_GATE_POLICY_KEYS_FILE, 'utf8'))
      : []);
  const policies = new PolicyManager({
    log: logger.child({ component: 'policy' }),
    registry,
    requireSigned: config.SPINE_GATE_REQUIRE_SIGNED_POLICY,
    trustedKeys,
    file: config.SPINE_GATE_MATRIX_FILE,
  });
  await policies.loadFile();
  const store = new AuditStore(config.SPINE_DATABASE_URL, {
    log: logger.child({ component: 'audit-store' }),
    sessionUrl: config.SPINE_GATE_AUDIT_DATABASE_URL,
  });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  const signingKey =
    deps.signingKey ??
    (await loadOrCreateSigningKey(
      config.SPINE_GATE_AUDIT_KEY_FILE ?? join(config.SPINE_DATA_DIR, 'gate-audit-key.pem'),
    ));
  const audit = new AuditLog({
    store,
    key: signingKey,
    log: logger,
    registry,
    checkpointEvery: config.SPINE_GATE_CHECKPOINT_EVERY,
    checkpointIntervalMs: config.SPINE_GATE_CHECKPOINT_INTERVAL_MS,
    writer: config.SPINE_GATE_AUDIT_WRITER,
    logLevel: config.SPINE_LOG_LEVEL,
  });
  const contracts = new ContractLookup({
    url: config.SPINE_REGISTRY_URL,
    ttlMs: config.SPINE_GATE_CONTRACT_TTL_MS,
    maxEntries: config.SPINE_GATE_CONTRACT_CACHE_SIZE,
    timeoutMs: config.SPINE_GATE_REGISTRY_TIMEOUT_MS,
    credentials: admin ? `${admin.key}:${admin.secret}` : null,
    registry,
  });
  const service = new DecisionService({
    policies,
    contracts,
    audit,
    log: logger.child({ component: 'decisions' }),
    registry,
  });
  if (config.SPINE_GATE_WATCH_MATRIX) policies.watchFile();

  const app = await createApp({
    service: 'residency-gate',
    version: '0.1.0',
    description:
      'Route decisions with field obligations, shadow mode, signed policy versions and a hash-chained audit log.',
    logger,
    bodyLimitBytes: config.SPINE_BODY_LIMIT_BYTES,
    credentials,
    readsRequireAuth: config.SPINE_READS_REQUIRE_AUTH,
    metricsRegistry: registry,
    readiness: [
      { name: 'postgres', check: () => store.ping() },
      {
        name: 'policy',
        check: async () => {
          const info = policies.info();
          if (!info) throw new Error('no valid policy is loaded');
          if (info.last_error)
            throw new Error(
              `the last policy (${info.last_error.source}) was refused; serving ${info.version}: ${info.last_error.message}`,
            );
        },
      },
    ],
    closeDependencies: async () => {
      policies.close();
      await audit.close();
      await store.close();
    },
  });
  decisionRoutes(app, service, {
    readsRequireAuth: config.SPINE_READS_REQUIRE_AUTH,
    batchBodyLimit: config.SPINE_GATE_BATCH_BODY_LIMIT_BYTES,
  });
  policyRoutes(app, policies);
  auditRoutes(app, store, audit);
  return app;
}
