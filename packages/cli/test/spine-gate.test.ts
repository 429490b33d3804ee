import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, hashSecret, MemoryCredentialStore, runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import {
  buildApp,
  canonicalize,
  generateSigningKey,
  loadGateConfig,
  SAMPLE_MATRIX,
  signCheckpoint,
} from '@data-spine/residency-gate';
import type { SignedCheckpoint } from '@data-spine/residency-gate';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';

const bin = join(import.meta.dirname, '../src/bin.ts');
const untouched = (text: string) => file('audit-untouched.jsonl', text);

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
        // Exports must hold a checkpoint over their records to verify.
        SPINE_GATE_CHECKPOINT_EVERY: '3',
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

  it('check: with the matrix in shadow mode, a route enforcement would deny still fails CI', async () => {
    const shipped = readFileSync(join(import.meta.dirname, '../../../streaming/cdc/data-spine.yaml'), 'utf8');
    const leaky = file(
      'leaky-shadow.yaml',
      shipped.replace(
        'public.payment_card: [id, customer_id, brand, created_at]',
        'public.payment_card: [id, customer_id, brand, created_at, card_number]',
      ),
    );
    const shadow = file(
      'shadow-matrix.yaml',
      readFileSync(SAMPLE_MATRIX, 'utf8').replace('mode: enforce', 'mode: shadow'),
    );
    const r = await spine(['gate', 'check', leaky, '--matrix', shadow]);
    expect(r.out).toMatch(/DENY \(shadow\) shop public\.payment_card -> analytics-us/);
    expect(r.out).toContain('card_number is denied by rule pci-in-region');
    expect(r.out).toContain('FAILED: 10 route(s) checked, 1 denied (1 only once shadow rules are enforced)');
    expect(r.code).toBe(1);
    // The shipped routes pass in shadow mode too: nothing there would be denied.
    const shipped2 = await spine(['gate', 'check', '--matrix', shadow]);
    expect(shipped2.out).toContain('ok: 10 route(s) checked, 0 denied');
    expect(shipped2.code).toBe(0);
    // A shadow rule that would deny fails CI the same way, in JSON too.
    const rule = file(
      'shadow-rule.yaml',
      `${readFileSync(SAMPLE_MATRIX, 'utf8').trimEnd()}\n  - id: no-pii-to-us\n    shadow: true\n    match: { tags: [pii], to: [US] }\n    effect: deny\n`,
    );
    const json = await spine(['gate', 'check', '--matrix', rule, '--output', 'json']);
    expect(json.code).toBe(1);
    const body = JSON.parse(json.out) as { denied: number; shadow_denied: number };
    expect(body.denied).toBeGreaterThan(0);
    expect(body.shadow_denied).toBe(body.denied);
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

  it('check: nested fields keep their tags, and a contract without fields is denied as unreadable', async () => {
    writeFileSync(
      join(contracts, 'shop.public.order.avsc'),
      JSON.stringify({
        type: 'record',
        name: 'Order',
        'data-spine:classification': 'confidential',
        fields: [
          { name: 'id', type: 'string' },
          {
            name: 'shipments',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'Shipment',
                fields: [{ name: 'recipient', type: 'string', 'confluent:tags': ['PII'] }],
              },
            },
          },
        ],
      }),
    );
    writeFileSync(
      join(contracts, 'shop.public.blob.avsc'),
      JSON.stringify({ type: 'record', name: 'Blob', 'data-spine:classification': 'internal', fields: [] }),
    );
    const r = await spine([
      'gate',
      'check',
      file('nested.yaml', routes(['public.order', 'public.blob'])),
      '--contracts',
      contracts,
      '--output',
      'json',
    ]);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.out) as {
      routes: Array<{
        table: string;
        decision: string;
        fields: Array<{ name: string; verdict: string }>;
        reasons: Array<{ code: string }>;
      }>;
    };
    const order = body.routes.find((x) => x.table === 'public.order');
    expect(order?.decision).toBe('allow_with_obligations');
    expect(order?.fields).toContainEqual({
      name: 'shipments.recipient',
      verdict: 'hash',
      rule: 'pii-eea-export',
    });
    const blob = body.routes.find((x) => x.table === 'public.blob');
    expect(blob?.decision).toBe('deny');
    expect(blob?.reasons[0]?.code).toBe('RESIDENCY_CONTRACT_UNREADABLE');
    // Through a running gate too: the unreadable local contract is denied without asking.
    const online = await spine([
      'gate',
      'check',
      join(dir, 'nested.yaml'),
      '--contracts',
      contracts,
      '--gate',
      server.url,
    ]);
    expect(online.code).toBe(1);
    expect(online.out).toMatch(/DENY\s+shop public\.blob -> analytics-us/);
    expect(online.out).toContain('RESIDENCY_CONTRACT_UNREADABLE');
    expect(online.out).toMatch(/OBLIG shop public\.order -> analytics-us/);
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
      readFileSync(SAMPLE_MATRIX, 'utf8').replace("version: '2026.12.7'", "version: 'candidate'") +
        '\n  - id: no-pii-to-us\n    match: { tags: [pii], to: [US] }\n    effect: deny\n',
    );
    const r = await spine(['gate', 'diff', '--candidate', stricter, '--gate', server.url], {
      SPINE_DATA_DIR: dir,
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain('CHANGE allow_with_obligations -> deny');
    expect(r.out).toContain('email: hash -> deny');
  });

  it('verify-audit: ok for an export against the gate key, and names the first record altered or removed', async () => {
    const res = await fetch(`${server.url}/v1/audit`, {
      headers: { authorization: `Basic ${Buffer.from(adminKey).toString('base64')}` },
    });
    const text = await res.text();
    expect(text).toContain('"type":"checkpoint"');
    const key = ((await (await fetch(`${server.url}/v1/audit/key`)).json()) as { public_key: string })
      .public_key;
    const exported = file('audit.jsonl', text);
    const good = await spine(['gate', 'verify-audit', exported, '--public-key', key]);
    expect(good.out).toContain('against the pinned key');
    expect(good.code).toBe(0);
    // The key fetched from the running gate (GET /v1/audit/key).
    const fetched = await spine(['gate', 'verify-audit', exported, '--gate', server.url]);
    expect(fetched.out).toContain(`against the key of the gate at ${server.url}`);
    expect(fetched.code).toBe(0);

    const lines = text.trim().split('\n');
    const second = lines.findIndex((l) => l.includes('"type":"decision"') && l.includes('"seq":2,'));
    lines[second] = (lines[second] as string).replace(/"requested_by":"[^"]*"/, '"requested_by":"mallory"');
    const bad = await spawned([
      'gate',
      'verify-audit',
      file('tampered.jsonl', lines.join('\n')),
      '--public-key',
      key,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`FAILED: record seq 2 (line ${second + 1}) was altered`);
    // The first record deleted.
    const first = await spine([
      'gate',
      'verify-audit',
      file('no-first.jsonl', text.trim().split('\n').slice(1).join('\n')),
      '--public-key',
      key,
    ]);
    expect(first.code).toBe(1);
    expect(first.out).toContain('FAILED: record seq 1 removed from the start');
    expect(
      (await spine(['gate', 'verify-audit', join(dir, 'missing.jsonl'), '--public-key', key])).code,
    ).toBe(2);
  });

  it('verify-audit: without the gate key nothing signed is trusted, so a re-signed log fails', async () => {
    const res = await fetch(`${server.url}/v1/audit`, {
      headers: { authorization: `Basic ${Buffer.from(adminKey).toString('base64')}` },
    });
    const text = await res.text();
    const key = ((await (await fetch(`${server.url}/v1/audit/key`)).json()) as { public_key: string })
      .public_key;
    // A forger rewrites a decision, rechains everything after it and signs with their own key.
    const forger = generateSigningKey();
    let prev: string | null = null;
    const forgedHashes = new Map<number, string>();
    const forged = text
      .trim()
      .split('\n')
      .map((l) => {
        const v = JSON.parse(l) as Record<string, unknown> & { type: string; seq: number };
        if (v.type === 'decision') {
          const { hash: _old, ...body } = v;
          if (prev !== null) body.prev_hash = prev;
          if (v.seq === 1) body.requested_by = 'mallory';
          prev = `sha256:${createHash('sha256').update(canonicalize(body)).digest('hex')}`;
          forgedHashes.set(v.seq, prev);
          return JSON.stringify({ ...body, hash: prev });
        }
        const { key_id: _k, public_key: _p, signature: _s, ...rest } = v as unknown as SignedCheckpoint;
        return JSON.stringify(signCheckpoint(forger, { ...rest, hash: forgedHashes.get(rest.seq) ?? '' }));
      });
    const forgedFile = file('forged.jsonl', forged.join('\n'));
    // Against the gate's key: the signatures are not the gate's.
    const pinned = await spine(['gate', 'verify-audit', forgedFile, '--public-key', key]);
    expect(pinned.code).toBe(1);
    expect(pinned.out).toMatch(/invalid signature for the pinned key/);
    // Without a key: a failure, saying why.
    const untrusted = await spawned(['gate', 'verify-audit', forgedFile]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.out).toContain('FAILED: no trusted key: signatures not verified');
    // Only an explicit flag accepts the file's own key, and the output says what that means.
    const allowed = await spine(['gate', 'verify-audit', untouched(text), '--allow-untrusted-key']);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('only against the key the file carries');
    // Every checkpoint stripped: refused even against the right key.
    const stripped = await spine([
      'gate',
      'verify-audit',
      file(
        'stripped.jsonl',
        text
          .split('\n')
          .filter((l) => !l.includes('"type":"checkpoint"'))
          .join('\n'),
      ),
      '--public-key',
      key,
    ]);
    expect(stripped.code).toBe(1);
    expect(stripped.out).toMatch(/checkpoint\(s\) removed/);
    expect(stripped.out).toContain('no checkpoint signed when the records were written');
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
