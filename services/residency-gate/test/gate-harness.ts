import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp, loadGateConfig, SAMPLE_MATRIX } from '../src/index.ts';
import { generateSigningKey } from '../src/audit/signing-key.ts';
import type { SigningKey } from '../src/audit/signing-key.ts';

export const ADMIN = { key: 'admin', secret: 'admin-secret' };
export const READER = { key: 'reader', secret: 'reader-secret' };
export const basic = (k: { key: string; secret: string }) =>
  'Basic ' + Buffer.from(`${k.key}:${k.secret}`).toString('base64');

export interface Gate {
  app: FastifyInstance;
  ctx: TestContext;
  dir: string;
  matrixFile: string;
  signingKey: SigningKey;
  close: () => Promise<void>;
}

/** A gate on its own database of the shared Postgres, with a private copy of the sample matrix. */
export async function startGate(
  name: string,
  env: Record<string, string> = {},
  reuse?: { ctx: TestContext; dir: string; signingKey: SigningKey },
): Promise<Gate> {
  const ctx = reuse?.ctx ?? (await useTestContext(name));
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), `${name}-`));
  const matrixFile = join(dir, 'matrix.yaml');
  if (!reuse) copyFileSync(SAMPLE_MATRIX, matrixFile);
  const signingKey = reuse?.signingKey ?? generateSigningKey();
  const config = loadGateConfig({
    SPINE_DATABASE_URL: ctx.databaseUrl,
    SPINE_DATA_DIR: dir,
    SPINE_GATE_MATRIX_FILE: matrixFile,
    SPINE_LOG_LEVEL: 'silent',
    SPINE_REGISTRY_URL: 'http://127.0.0.1:9', // nothing listens: lookups are "unavailable" unless a test says otherwise
    SPINE_GATE_REGISTRY_TIMEOUT_MS: '500',
    ...env,
  });
  const app = await buildApp(config, {
    logger: createLogger({ service: 'gate-test', level: 'silent' }),
    signingKey,
    credentials: new MemoryCredentialStore([
      { key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] },
      { key: READER.key, secretHash: hashSecret(READER.secret), roles: ['reader'], scopes: ['*'] },
    ]),
  });
  return {
    app,
    ctx,
    dir,
    matrixFile,
    signingKey,
    close: async () => {
      await app.close();
      if (!reuse) {
        await ctx[Symbol.asyncDispose]();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const customerRequest = (over: Record<string, unknown> = {}) => ({
  route: {
    source: { dataset: 'postgres://oltp:5432/shop.public.customer', region: 'eu-west-1' },
    sink: { id: 'analytics-us', region: 'us-east-1' },
    purpose: 'analytics',
  },
  classification: 'confidential',
  fields: [
    { name: 'email', tags: ['pii'] },
    { name: 'country', tags: [] },
  ],
  ...over,
});
