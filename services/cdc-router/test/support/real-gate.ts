import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, generateSigningKey, loadGateConfig, SAMPLE_MATRIX } from '@data-spine/residency-gate';
import { createLogger } from '@data-spine/service-kit';
import { adminHeader, adminStore } from './registry.ts';

/** The real residency gate app (its buildApp) on a free port, deciding against a private copy of the sample matrix. */
export async function startGate(
  databaseUrl: string,
  registryUrl: string,
  port = 0,
): Promise<{
  url: string;
  app: FastifyInstance;
  matrixFile: string;
  /** Activates an edited matrix through `PUT /v1/policy` (admin): a new policy version. */
  editMatrix(edit: (yaml: string) => string): Promise<void>;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'cdc-gate-'));
  const matrixFile = join(dir, 'matrix.yaml');
  copyFileSync(SAMPLE_MATRIX, matrixFile);
  const app = await buildApp(
    loadGateConfig({
      SPINE_DATABASE_URL: databaseUrl,
      SPINE_DATA_DIR: dir,
      SPINE_GATE_MATRIX_FILE: matrixFile,
      SPINE_GATE_WATCH_MATRIX: 'false',
      SPINE_LOG_LEVEL: 'silent',
      SPINE_REGISTRY_URL: registryUrl,
    }),
    {
      logger: createLogger({ service: 'residency-gate', level: 'silent' }),
      signingKey: generateSigningKey(),
      credentials: adminStore(),
    },
  );
  const url = await app.listen({ host: '127.0.0.1', port });
  return {
    url,
    app,
    matrixFile,
    async editMatrix(edit) {
      const text = edit(readFileSync(matrixFile, 'utf8'));
      const res = await fetch(`${url}/v1/policy`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: adminHeader },
        body: JSON.stringify({ matrix: text }),
      });
      if (!res.ok) throw new Error(`PUT /v1/policy: ${res.status} ${await res.text()}`);
      writeFileSync(matrixFile, text);
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
