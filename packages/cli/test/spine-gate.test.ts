import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, hashSecret, MemoryCredentialStore, runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import { buildApp, loadGateConfig, SAMPLE_MATRIX } from '@data-spine/residency-gate';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';

const bin = join(import.meta.dirname, '../src/bin.ts');

/** The CLI in this process (fast: this machine is shared); `spawned` runs the real binary. */
async function spine(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string }> {
  const { main } = await import('../src/main.ts');
  let out = '';
  const saved = { ...process.env };
  Object.assign(process.env, { SPINE_GATE_URL: '', ...env });
  const log = vi
    .spyOn(console, 'log')
    .mockImplementation((...a: unknown[]) => void (out += `${a.join(' ')}\n`));
  const err = vi
    .spyOn(console, 'error')
    .mockImplementation((...a: unknown[]) => void (out += `${a.join(' ')}\n`));
  try {
    return { code: await main(args), out };
  } finally {
    log.mockRestore();
    err.mockRestore();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

function spawned(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, SPINE_GATE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'spine-gate-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

// A routes file in the cdc router's format, with keys the gate does not know (it must ignore them).
const routes = (tables: string[], sink = 'analytics-us') => `version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: shop, topicPrefix: shop, tables: [${tables.join(', ')}], slot: x }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu, ttl: P2Y }
  - { id: analytics-us, type: postgres, region: us-east-1, database: analytics_us, ttl: P1Y, batch: { size: 10 } }
routes:
  - { source: shop, tables: ['public.*'], sink: ${sink}, purpose: analytics, transforms: [] }
dead-letter: { topic: shop.spine.dlq }
`;
const contracts = join(dir, 'contracts');
const payment = JSON.stringify({
  type: 'record',
  name: 'Payment',
  'data-spine:classification': 'confidential',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'card_number', type: 'string', 'confluent:tags': ['PCI'] },
  ],
});

describe('spine gate', () => {
  let ctx: TestContext;
  let server: RunningServer;
  const adminKey = 'ops:ops-secret';

  beforeAll(async () => {
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(contracts, { recursive: true });
    copyFileSync(
      join(import.meta.dirname, '../../../schema/contracts/shop.public.customer.avsc'),
      join(contracts, 'shop.public.customer.avsc'),
    );
    writeFileSync(join(contracts, 'shop.public.payment.avsc'), payment);
    writeFileSync(join(dir, 'admin-key'), `${adminKey}\n`);
    ctx = await useTestContext('spine-gate');
    const app = await buildApp(
      loadGateConfig({
        SPINE_DATABASE_URL: ctx.databaseUrl,
        SPINE_DATA_DIR: dir,
        SPINE_GATE_MATRIX_FILE: SAMPLE_MATRIX,
        SPINE_GATE_WATCH_MATRIX: 'false',
      }),
      {
        logger: createLogger({ service: 'cli-gate-test', level: 'silent' }),
        credentials: new MemoryCredentialStore([
          { key: 'ops', secretHash: hashSecret('ops-secret'), roles: ['admin'], scopes: ['*'] },
        ]),
      },
    );
    server = await runServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 2_000,
      exit: false,
      signals: [],
    });
  });
  afterAll(async () => {
    await server?.shutdown('test');
    await ctx?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('check: the shipped routes and demo contracts pass offline, every table governed', async () => {
    const r = await spine(['gate', 'check']);
    expect(r.out).not.toContain('RESIDENCY_CONTRACT_NOT_FOUND');
    expect(r.out).toContain('ok: 10 route(s) checked, 0 denied');
    expect(r.code).toBe(0);
  });

  it("check: a route's column selection decides it, so carrying a card number abroad fails CI", async () => {
    const shipped = readFileSync(join(import.meta.dirname, '../../../streaming/cdc/data-spine.yaml'), 'utf8');
    expect(shipped).toContain('public.payment_card: [id, customer_id, brand, created_at]');
    const leaky = file(
      'leaky.yaml',
      shipped.replace(
        'public.payment_card: [id, customer_id, brand, created_at]',
        'public.payment_card: [id, customer_id, brand, created_at, card_number]',
      ),
    );
    const r = await spine(['gate', 'check', leaky]);
    expect(r.out).toMatch(/DENY\s+shop public\.payment_card -> analytics-us/);
    expect(r.out).toContain('card_number');
    expect(r.code).toBe(1);
  });

  it('check: exits 0 when every route is allowed (in process), ignoring keys it does not know', async () => {
    const r = await spine([
      'gate',
      'check',
      file('ok.yaml', routes(['public.customer'])),
      '--contracts',
      contracts,
    ]);
    expect(r.out).toContain('OBLIG shop public.customer -> analytics-us (analytics)');
    expect(r.out).toContain('ok: 1 route(s) checked, 0 denied');
    expect(r.code).toBe(0);
  });

  it('check: exits 1 when a route would breach residency, naming the rule and a remedy', async () => {
    const r = await spawned([
      'gate',
      'check',
      file('pci.yaml', routes(['public.customer', 'public.payment'])),
      '--contracts',
      contracts,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('DENY  shop public.payment -> analytics-us (analytics)');
    expect(r.out).toContain('card_number is denied by rule pci-in-region');
    expect(r.out).toContain('remedy: allowed if card_number is dropped');
    expect(r.out).toContain('FAILED: 2 route(s) checked, 1 denied');
  });

  it('check: asks a running gate with --gate, and a table without a contract is denied', async () => {
    const r = await spine([
      'gate',
      'check',
      file('gate.yaml', routes(['public.customer', 'public.ghost'])),
      '--contracts',
      contracts,
      '--gate',
      server.url,
      '--output',
      'json',
    ]);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.out) as {
      denied: number;
      routes: Array<{ table: string; decision: string; reasons: Array<{ code: string }> }>;
    };
    expect(body.routes.map((x) => [x.table, x.decision])).toEqual([
      ['public.customer', 'allow_with_obligations'],
      ['public.ghost', 'deny'],
    ]);
    expect(body.routes[1]?.reasons[0]?.code).toMatch(/^RESIDENCY_CONTRACT_/);
  });

  it('check: exits 2 on a missing file, an unknown sink or an invalid matrix', async () => {
    expect((await spine(['gate', 'check', join(dir, 'nope.yaml')])).code).toBe(2);
    expect(
      (await spine(['gate', 'check', file('bad-sink.yaml', routes(['public.customer'], 'nowhere'))])).code,
    ).toBe(2);
    const bad = await spine([
      'gate',
      'check',
      join(dir, 'ok.yaml'),
      '--matrix',
      file('bad-matrix.yaml', 'version: 1\n'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('bad-matrix.yaml:1:10 /version: must be string');
    expect(
      (
        await spine([
          'gate',
          'check',
          '--gate',
          'http://127.0.0.1:9',
          join(dir, 'ok.yaml'),
          '--contracts',
          contracts,
        ])
      ).code,
    ).toBe(2);
  });

  it('explain: prints one decision for a person', async () => {
    const r = await spine([
      'gate',
      'explain',
      '--source-region',
      'eu-west-1',
      '--sink',
      'analytics-apac',
      '--purpose',
      'analytics',
      '--classification',
      'confidential',
      '--field',
      'email:pii',
      '--field',
      'country',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Denied:');
    expect(r.out).toContain(
      'allowed if analytics-apac (recipient spine-apac) gets an SCC or BCR covering EEA -> SG, or if email is dropped',
    );
    const ok = await spine([
      'gate',
      'explain',
      'public.customer',
      'analytics-us',
      '--routes',
      join(dir, 'ok.yaml'),
      '--contracts',
      contracts,
      '--gate',
      server.url,
    ]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('name and email must be replaced by a keyed hash');
  });

  it('diff: replays logged decisions against a candidate and lists what would change', async () => {
    const same = await spine(['gate', 'diff', '--candidate', SAMPLE_MATRIX, '--gate', server.url], {
      SPINE_DATA_DIR: dir,
    });
    expect(same.out).toMatch(/^0 of [1-9]\d* distinct logged decision/m);
    expect(same.code).toBe(0);
    const stricter = file(
      'stricter.yaml',
      readFileSync(SAMPLE_MATRIX, 'utf8').replace("version: '2026.12.1'", "version: 'candidate'") +
        '\n  - id: no-pii-to-us\n    match: { tags: [pii], to: [US] }\n    effect: deny\n',
    );
    const r = await spine(['gate', 'diff', '--candidate', stricter, '--gate', server.url], {
      SPINE_DATA_DIR: dir,
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain('CHANGE allow_with_obligations -> deny');
    expect(r.out).toContain('email: hash -> deny');
  });

  it('verify-audit: ok for an export, and names the first record altered', async () => {
    const res = await fetch(`${server.url}/v1/audit`, {
      headers: { authorization: `Basic ${Buffer.from(adminKey).toString('base64')}` },
    });
    const text = await res.text();
    const key = ((await (await fetch(`${server.url}/v1/audit/key`)).json()) as { public_key: string })
      .public_key;
    const good = await spine(['gate', 'verify-audit', file('audit.jsonl', text), '--public-key', key]);
    expect(good.out).toContain('against the pinned key');
    expect(good.code).toBe(0);
    const lines = text.trim().split('\n');
    lines[1] = (lines[1] as string).replace(/"requested_by":"[^"]*"/, '"requested_by":"mallory"');
    const bad = await spawned(['gate', 'verify-audit', file('tampered.jsonl', lines.join('\n'))]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAILED: record seq 2 \(line 2\) was altered/);
    expect((await spine(['gate', 'verify-audit', join(dir, 'missing.jsonl')])).code).toBe(2);
  });

  it('keygen and sign: a gate that requires signed policies loads the signed matrix, and refuses it once edited', async () => {
    const keyFile = join(dir, 'policy-signing.pem');
    const made = await spine(['gate', 'keygen', '--out', keyFile]);
    expect(made.code).toBe(0);
    const keyId = /key (sha256:[0-9a-f]{16})/.exec(made.out)?.[1];
    expect(keyId).toBeDefined();
    expect((statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
    // Never overwrites a key.
    expect((await spine(['gate', 'keygen', '--out', keyFile])).code).toBe(2);

    const matrix = file('signed-matrix.yaml', readFileSync(SAMPLE_MATRIX, 'utf8'));
    const signed = await spine(['gate', 'sign', matrix, '--key', keyFile]);
    expect(signed.code).toBe(0);
    expect(signed.out).toContain(`with ${keyId}`);
    expect(JSON.parse(readFileSync(`${matrix}.sig`, 'utf8'))).toMatchObject({ key_id: keyId });
    // An invalid matrix is not signed.
    const invalid = file('invalid-matrix.yaml', 'version: 1\nregions: 7\n');
    const refused = await spine(['gate', 'sign', invalid, '--key', keyFile]);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/invalid residency matrix/);
    expect(existsSync(`${invalid}.sig`)).toBe(false);

    await using own = await useTestContext('spine-gate-signed');
    const start = () =>
      buildApp(
        loadGateConfig({
          SPINE_DATABASE_URL: own.databaseUrl,
          SPINE_DATA_DIR: dir,
          SPINE_GATE_MATRIX_FILE: matrix,
          SPINE_GATE_WATCH_MATRIX: 'false',
          SPINE_GATE_REQUIRE_SIGNED_POLICY: 'true',
          SPINE_GATE_POLICY_KEYS_FILE: `${keyFile}.pub`,
        }),
        { logger: createLogger({ service: 'cli-gate-test', level: 'silent' }) },
      );
    const app = await start();
    try {
      expect((await app.inject({ url: '/v1/policy' })).json()).toMatchObject({ signed: true, key_id: keyId });
    } finally {
      await app.close();
    }
    writeFileSync(matrix, `${readFileSync(matrix, 'utf8')}# edited after signing\n`);
    await expect(start()).rejects.toThrow(/signature/);
  });
});
