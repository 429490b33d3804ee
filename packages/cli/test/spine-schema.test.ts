import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

const avro = (fields: unknown[]) =>
  JSON.stringify({ type: 'record', name: 'Customer', namespace: 'shop', doc: 'A customer.', fields });
const id = { name: 'id', type: 'string', doc: 'Primary key.' };
const email = {
  name: 'email',
  type: ['null', 'string'],
  default: null,
  doc: 'Contact.',
  'confluent:tags': ['PII'],
};

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
      credentials: new MemoryCredentialStore([
        { key: 'ci', secretHash: hashSecret('s'), roles: ['producer'], scopes: ['shop.', 'shop/'] },
      ]),
    });
    server = await runServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 2_000,
      exit: false,
      signals: [],
    });
    env = { SPINE_REGISTRY_URL: server.url, SPINE_REGISTRY_KEY: 'ci:s', SPINE_DATA_DIR: dir };
  });
  afterAll(async () => {
    await server?.shutdown('test');
    await ctx?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes, then refuses a breaking change unless it is a major version', async () => {
    const v1 = file('v1.avsc', avro([id, email]));
    const first = await spine(
      ['schema', 'publish', 'shop.customer-value', v1, '--semver', '1.0.0', '--retention', 'P2Y'],
      env,
    );
    expect(first.out).toContain('published shop.customer-value version 1');
    expect(first.code).toBe(0);
    const breaking = file('v2.avsc', avro([id, { name: 'tier', type: 'int', doc: 'Tier.' }]));
    const refused = await spine(['schema', 'publish', 'shop.customer-value', breaking], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('data-spine.semver=2.0.0');
    const validate = await spine(['schema', 'validate', 'shop.customer-value', breaking], env);
    expect(validate.code).toBe(1);
    expect(validate.out).toContain('needs a major bump (1.0.0 -> 2.0.0)');
    const major = await spine(
      ['schema', 'publish', 'shop.customer-value', breaking, '--semver', '2.0.0', '--retention', 'P2Y'],
      env,
    );
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

  it('diffs two versions and a file against the latest, and exits 1 when the change is breaking', async () => {
    const versions = await spine(['schema', 'diff', 'shop.customer-value', '1', '2'], env);
    expect(versions.out).toMatch(/- Customer\.email|email/);
    expect(versions.out).toContain('+ ');
    expect(versions.out).toContain('needs a major bump');
    expect(versions.code).toBe(1);
    const withStatus = file(
      'v3.avsc',
      avro([
        id,
        { name: 'tier', type: 'int', doc: 'Tier.' },
        { name: 'status', type: 'string', default: 'new', doc: 'S.' },
      ]),
    );
    const minor = await spine(
      ['schema', 'diff', 'shop.customer-value', '--file', withStatus, '--output', 'json'],
      env,
    );
    expect(minor.code).toBe(0);
    expect(JSON.parse(minor.out)).toMatchObject({
      required_bump: 'minor',
      changes: [{ change: 'added', to: 'string' }],
    });
  });

  it('rolls back to an earlier version with an audited reason', async () => {
    expect((await spine(['schema', 'rollback', 'shop.customer-value', '--to', '1'], env)).code).toBe(2);
    const res = await spine(
      ['schema', 'rollback', 'shop.customer-value', '--to', '1', '--reason', 'tier was a mistake'],
      env,
    );
    expect(res.out).toContain('rolled shop.customer-value back to version 1: now version 3');
    expect(res.code).toBe(0);
    const latest = JSON.parse(
      (await spine(['schema', 'latest', 'shop.customer-value', '--output', 'json'], env)).out,
    );
    expect(latest.schema).toContain('email');
    expect(
      (await spine(['schema', 'rollback', 'shop.customer-value', '--to', '99', '--reason', 'x'], env)).code,
    ).toBe(1);
  });

  it('publishes a .proto with imports from a directory as references', async () => {
    const protoDir = mkdtempSync(join(dir, 'protos-'));
    mkdirSync(join(protoDir, 'shop'));
    writeFileSync(
      join(protoDir, 'shop', 'money.proto'),
      'syntax = "proto3";\npackage shop;\nmessage Money { int64 units = 1; string currency = 2; }\n',
    );
    writeFileSync(
      join(dir, 'order.proto'),
      'syntax = "proto3";\npackage shop;\nimport "shop/money.proto";\nmessage Order { string id = 1; Money total = 2; }\n',
    );
    const res = await spine(
      [
        'schema',
        'publish',
        'shop.order-value',
        join(dir, 'order.proto'),
        '--import-dir',
        protoDir,
        '--retention',
        'P1Y',
      ],
      env,
    );
    expect(res.out).toContain('published shop.order-value version 1');
    expect(res.code).toBe(0);
    const latest = JSON.parse(
      (await spine(['schema', 'latest', 'shop.order-value', '--output', 'json'], env)).out,
    );
    expect(latest).toMatchObject({
      schemaType: 'PROTOBUF',
      references: [{ name: 'shop/money.proto', subject: 'shop/money.proto', version: 1 }],
    });
  });

  it('predicts a publish with --dry-run and validate: the --semver asked for decides a breaking change', async () => {
    const subject = 'shop.semver-value';
    const v1 = file('semver-v1.avsc', avro([id, email]));
    expect((await spine(['schema', 'publish', subject, v1, '--semver', '1.0.0'], env)).code).toBe(0);
    const breaking = file('semver-v2.avsc', avro([id, email, { name: 'tier', type: 'int', doc: 'Tier.' }]));
    for (const [semver, code] of [
      ['1.1.0', 1],
      ['2.0.0', 0],
    ] as const) {
      const dry = await spine(['schema', 'publish', subject, breaking, '--semver', semver, '--dry-run'], env);
      const validate = await spine(['schema', 'validate', subject, breaking, '--semver', semver], env);
      expect(dry.code, dry.out).toBe(code);
      expect(validate.code, validate.out).toBe(code);
      if (code === 0) {
        expect(dry.out).toContain('would publish as contract 2.0.0');
        expect(dry.out).toMatch(/note\s+incompatible/);
      } else {
        expect(dry.out).toContain('--semver 1.1.0 is not a major version');
        expect(dry.out).toContain('needs a major bump (1.0.0 -> 2.0.0)');
      }
    }
    const notGreater = await spine(['schema', 'validate', subject, breaking, '--semver', '0.9.0'], env);
    expect(notGreater.code).toBe(1);
    expect(notGreater.out).toContain('must be greater than the latest, 1.0.0');
    // Nothing was written by the dry runs, and the publish does what they said.
    const latestVersion = async (): Promise<number> =>
      (
        JSON.parse((await spine(['schema', 'latest', subject, '--output', 'json'], env)).out) as {
          version: number;
        }
      ).version;
    expect(await latestVersion()).toBe(1);
    expect((await spine(['schema', 'publish', subject, breaking, '--semver', '1.1.0'], env)).code).toBe(1);
    const published = await spine(['schema', 'publish', subject, breaking, '--semver', '2.0.0'], env);
    expect(published.code, published.out).toBe(0);
    expect(published.out).toContain('published shop.semver-value version 2 (id');
    expect(published.out).toContain('contract 2.0.0');
  });

  it('validates a .proto without registering its imports (or theirs), and names the one that is missing', async () => {
    const protoDir = mkdtempSync(join(dir, 'nested-'));
    mkdirSync(join(protoDir, 'shop'));
    const currency = 'syntax = "proto3";\npackage shop;\nmessage Currency { string code = 1; }\n';
    writeFileSync(join(protoDir, 'shop', 'currency.proto'), currency);
    writeFileSync(
      join(protoDir, 'shop', 'price.proto'),
      'syntax = "proto3";\npackage shop;\nimport "shop/currency.proto";\nmessage Price { int64 units = 1; Currency currency = 2; }\n',
    );
    const invoice = join(protoDir, 'invoice.proto');
    writeFileSync(
      invoice,
      'syntax = "proto3";\npackage shop;\nimport "shop/price.proto";\nmessage Invoice { string id = 1; Price total = 2; }\n',
    );
    const subjects = async () => (await spine(['schema', 'subjects', '--output', 'json'], env)).out;
    const before = await subjects();
    const args = (command: string) => [
      'schema',
      command,
      'shop.invoice-value',
      invoice,
      '--import-dir',
      protoDir,
    ];
    for (const attempt of [
      await spine(args('validate'), env),
      await spine([...args('publish'), '--dry-run'], env),
      await spine(['schema', 'lint', invoice, '--import-dir', protoDir], env),
    ]) {
      expect(attempt.code, attempt.out).toBe(2);
      // Dependencies first: the import's own import is the first one found missing.
      expect(attempt.out).toContain(
        'import shop/currency.proto is not registered: no subject shop/currency.proto',
      );
      expect(attempt.out).toContain('publish the import first');
    }
    expect(await subjects()).toBe(before);

    const published = await spine([...args('publish'), '--retention', 'P1Y'], env);
    expect(published.code, published.out).toBe(0);
    const latest = async (subject: string): Promise<Record<string, unknown>> =>
      JSON.parse((await spine(['schema', 'latest', subject, '--output', 'json'], env)).out) as Record<
        string,
        unknown
      >;
    expect(await latest('shop/price.proto')).toMatchObject({
      references: [{ name: 'shop/currency.proto', subject: 'shop/currency.proto', version: 1 }],
    });
    expect(await latest('shop.invoice-value')).toMatchObject({
      version: 1,
      references: [{ name: 'shop/price.proto', subject: 'shop/price.proto', version: 1 }],
    });
    // Registered now: validating references them, and registers nothing more.
    const registered = await subjects();
    const ok = await spine([...args('validate'), '--retention', 'P1Y'], env);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('ok:');
    // An import changed here but not published: named, not registered.
    writeFileSync(
      join(protoDir, 'shop', 'currency.proto'),
      currency.replace('code = 1;', 'code = 1; int32 digits = 2;'),
    );
    const changed = await spine(args('validate'), env);
    expect(changed.code).toBe(2);
    expect(changed.out).toContain(
      'import shop/currency.proto is not registered as it is here: no version of subject shop/currency.proto has this text',
    );
    expect(await subjects()).toBe(registered);
    expect((await latest('shop/currency.proto')).version).toBe(1);
  });
});
