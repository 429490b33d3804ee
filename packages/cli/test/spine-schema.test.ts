import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, hashSecret, MemoryCredentialStore, runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import { buildApp, DEFAULT_FORMATS, loadRegistryConfig } from '@data-spine/schema-registry';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';

const bin = join(import.meta.dirname, '../src/bin.ts');

function spine(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

const avro = (fields: unknown[]) => JSON.stringify({ type: 'record', name: 'Customer', namespace: 'shop', doc: 'A customer.', fields });
const id = { name: 'id', type: 'string', doc: 'Primary key.' };
const email = { name: 'email', type: ['null', 'string'], default: null, doc: 'Contact.', 'confluent:tags': ['PII'] };

describe('spine schema (producer CI) against a real registry', () => {
  let ctx: TestContext;
  let server: RunningServer;
  let env: NodeJS.ProcessEnv;
  const dir = mkdtempSync(join(tmpdir(), 'spine-schema-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeAll(async () => {
    ctx = await useTestContext('spine-schema');
    const app = await buildApp(loadRegistryConfig({ SPINE_DATABASE_URL: ctx.databaseUrl }), {
      formats: DEFAULT_FORMATS,
      logger: createLogger({ service: 'cli-test', level: 'silent' }),
      credentials: new MemoryCredentialStore([{ key: 'ci', secretHash: hashSecret('s'), roles: ['producer'], scopes: ['shop.'] }]),
    });
    server = await runServer(app, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 2_000, exit: false, signals: [] });
    env = { SPINE_REGISTRY_URL: server.url, SPINE_REGISTRY_KEY: 'ci:s', SPINE_DATA_DIR: dir };
  });
  afterAll(async () => {
    await server?.shutdown('test');
    await ctx?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes, then refuses a breaking change unless it is a major version', async () => {
    const v1 = file('v1.avsc', avro([id, email]));
    const first = await spine(['schema', 'publish', 'shop.customer-value', v1, '--semver', '1.0.0', '--retention', 'P2Y'], env);
    expect(first.out).toContain('published shop.customer-value version 1');
    expect(first.code).toBe(0);
    const breaking = file('v2.avsc', avro([id, { name: 'tier', type: 'int', doc: 'Tier.' }]));
    const refused = await spine(['schema', 'publish', 'shop.customer-value', breaking], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('data-spine.semver=2.0.0');
    const validate = await spine(['schema', 'validate', 'shop.customer-value', breaking], env);
    expect(validate.code).toBe(1);
    expect(validate.out).toContain('needs a major bump (1.0.0 -> 2.0.0)');
    const major = await spine(['schema', 'publish', 'shop.customer-value', breaking, '--semver', '2.0.0', '--retention', 'P2Y'], env);
    expect(major.code).toBe(0);
    expect(major.out).toContain('contract 2.0.0');
    const latest = await spine(['schema', 'latest', 'shop.customer-value', '--output', 'json'], env);
    expect(JSON.parse(latest.out)).toMatchObject({ version: 2 });
    expect((await spine(['schema', 'subjects'], env)).out.trim()).toBe('shop.customer-value');
  });

  it('prints lint findings with their paths and exits 1 on a lint error', async () => {
    const untagged = file('lead.avsc', avro([id, { name: 'email', type: 'string', doc: 'x' }]));
    const res = await spine(['schema', 'lint', untagged], env);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/error\s+pii-untagged\s+Customer\.email/);
    expect(res.out).toContain('fix:');
  });

  it('exits 2 on usage and connection errors', async () => {
    expect((await spine(['schema', 'publish', 'only-subject'], env)).code).toBe(2);
    expect((await spine(['schema', 'publish', 'shop.x-value', file('x.txt', 'hi')], env)).code).toBe(2);
    const down = await spine(['schema', 'subjects'], { ...env, SPINE_REGISTRY_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(2);
    expect(down.out).toContain('cannot reach the registry');
  });
});
