import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@data-spine/service-kit';
import { Registry } from 'prom-client';
import { generateSigningKey, signText } from '../audit/signing-key.ts';
import { evaluate } from '../evaluator/evaluate.ts';
import { NOW, route, SAMPLE_TEXT } from '../evaluator/sample-policy.fixture.ts';
import { PolicyManager, PolicyRefusedError } from './policy-manager.ts';

const log = createLogger({ service: 'policy-test', level: 'silent' });
const signer = generateSigningKey();
const dir = mkdtempSync(join(tmpdir(), 'gate-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const v = (version: string) => SAMPLE_TEXT.replace("version: '2026.12.7'", `version: '${version}'`);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyRefusedError);
    return (err as PolicyRefusedError).code;
  }
  throw new Error('expected a refusal');
};

describe('policy versions and signatures', () => {
  it('activates a signed bundle and names the key', () => {
    const m = new PolicyManager({ log, requireSigned: true, trustedKeys: [signer.publicKey] });
    const info = m.activate(v('a'), { signature: signText(signer, v('a')) }, 'test');
    expect(info).toMatchObject({ version: 'a', signed: true, key_id: signer.keyId, mode: 'enforce' });
  });

  it('refuses unsigned, wrongly signed and tampered bundles, keeping the last good one', () => {
    const registry = new Registry();
    const m = new PolicyManager({ log, registry, requireSigned: true, trustedKeys: [signer.publicKey] });
    m.activate(v('good'), { signature: signText(signer, v('good')) }, 'test');
    expect(refusal(() => m.activate(v('unsigned'), null, 'test'))).toBe('GATE_POLICY_UNSIGNED');
    const other = generateSigningKey();
    expect(refusal(() => m.activate(v('other'), { signature: signText(other, v('other')) }, 'test'))).toBe(
      'GATE_POLICY_BAD_SIGNATURE',
    );
    // Signed, then one byte changed.
    expect(
      refusal(() =>
        m.activate(
          v('tampered').replace('P90D', 'P9Y'),
          { signature: signText(signer, v('tampered')) },
          'test',
        ),
      ),
    ).toBe('GATE_POLICY_BAD_SIGNATURE');
    expect(
      refusal(() => m.activate('version: x\n', { signature: signText(signer, 'version: x\n') }, 'test')),
    ).toBe('GATE_POLICY_INVALID');
    expect(m.info()).toMatchObject({ version: 'good', last_error: { source: 'test' } });
    expect(m.current?.version).toBe('good');
  });

  it('says so in a metric', async () => {
    const registry = new Registry();
    const m = new PolicyManager({ log, registry, requireSigned: false, trustedKeys: [] });
    m.activate(v('one'), null, 'test');
    expect(() => m.activate('nope: [', null, 'test')).toThrow(PolicyRefusedError);
    const text = await registry.metrics();
    expect(text).toMatch(/spine_gate_policy_last_load_ok 0/);
    expect(text).toMatch(/spine_gate_policy_info\{version="one",digest="sha256:[0-9a-f]+"\} 1/);
    expect(text).toMatch(/spine_gate_policy_loads_total\{outcome="refused",source="file"\} 1/);
  });

  it('reloads the watched file, with its .sig, and refuses a bad edit', async () => {
    const file = join(dir, 'matrix.yaml');
    writeFileSync(file, v('w1'));
    writeFileSync(
      `${file}.sig`,
      JSON.stringify({ signature: signText(signer, v('w1')), key_id: signer.keyId }),
    );
    const m = new PolicyManager({ log, requireSigned: true, trustedKeys: [signer.publicKey], file });
    await m.loadFile();
    m.watchFile();
    try {
      writeFileSync(file, v('w2'));
      writeFileSync(`${file}.sig`, signText(signer, v('w2')));
      await expect.poll(() => m.current?.version, { timeout: 5_000 }).toBe('w2');
      writeFileSync(file, v('w3')); // signature no longer matches
      await expect
        .poll(() => m.info()?.last_error?.message ?? '', { timeout: 5_000 })
        .toContain('does not verify');
      expect(m.current?.version).toBe('w2');
    } finally {
      m.close();
    }
  });

  it('refuses a malformed .sig and an unreadable matrix through the watcher, and says so everywhere', async () => {
    const file = join(dir, 'refusals.yaml');
    writeFileSync(file, v('ok-1'));
    writeFileSync(`${file}.sig`, JSON.stringify({ signature: signText(signer, v('ok-1')) }));
    const lines: string[] = [];
    const captured = createLogger({
      service: 'policy-test',
      level: 'info',
      destination: { write: (line: string) => void lines.push(line) },
    });
    const registry = new Registry();
    const m = new PolicyManager({
      log: captured,
      registry,
      requireSigned: true,
      trustedKeys: [signer.publicKey],
      file,
    });
    await m.loadFile();
    m.watchFile();
    const metric = async (re: RegExp) => re.exec(await registry.metrics())?.[1];
    try {
      // A new matrix whose .sig is cut short: refused, the last good one stays.
      writeFileSync(file, v('evil-1'));
      writeFileSync(`${file}.sig`, '{"signature": ');
      await expect
        .poll(() => m.info()?.last_error?.message ?? '', { timeout: 5_000 })
        .toContain('refusals.yaml.sig is malformed');
      expect(m.current?.version).toBe('ok-1');
      expect(await metric(/^spine_gate_policy_last_load_ok (\d)$/m)).toBe('0');
      expect(
        await metric(/^spine_gate_policy_loads_total\{outcome="refused",source="file"\} (\d+)$/m),
      ).toBeDefined();
      const refusedLine = lines
        .map((l) => JSON.parse(l) as { level: number; code?: string; msg: string })
        .find((l) => l.code === 'GATE_POLICY_BAD_SIGNATURE');
      expect(refusedLine).toMatchObject({ level: 50 });
      expect(refusedLine?.msg).toContain('keeping version ok-1');

      // A good pair again: activated, healthy.
      writeFileSync(`${file}.sig`, JSON.stringify({ signature: signText(signer, v('ok-2')) }));
      writeFileSync(file, v('ok-2'));
      await expect.poll(() => m.current?.version, { timeout: 5_000 }).toBe('ok-2');
      expect(m.info()?.last_error).toBeNull();
      expect(await metric(/^spine_gate_policy_last_load_ok (\d)$/m)).toBe('1');

      // The matrix cannot be read (a directory where the file was): refused the same way.
      rmSync(file);
      mkdirSync(file);
      await expect
        .poll(() => m.info()?.last_error?.message ?? '', { timeout: 5_000 })
        .toMatch(/cannot read .*refusals\.yaml/);
      expect(m.current?.version).toBe('ok-2');
      expect(await metric(/^spine_gate_policy_last_load_ok (\d)$/m)).toBe('0');
      expect(lines.some((l) => (JSON.parse(l) as { code?: string }).code === 'GATE_POLICY_UNREADABLE')).toBe(
        true,
      );
    } finally {
      m.close();
    }
  });

  it('never splits a decision across versions under concurrent reloads', async () => {
    // Odd versions deny EEA PII to the US; even ones allow it hashed: a decision's outcome shows which
    // version decided it, and must match the version it names.
    const text = (n: number) =>
      n % 2 === 0
        ? v(`r${n}`)
        : `${v(`r${n}`).trimEnd()}\n  - id: no-pii-to-us\n    match: { tags: [pii], to: [US] }\n    effect: deny\n`;
    const expected = (version: string) =>
      Number(version.slice(1)) % 2 === 0
        ? { decision: 'allow_with_obligations', verdicts: ['hash'] }
        : { decision: 'deny', verdicts: ['deny'] };
    const m = new PolicyManager({ log, requireSigned: false, trustedKeys: [] });
    m.activate(text(0), null, 'test');
    const input = route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['email', 'pii']]);
    const total = 20;
    let reloads = 0;
    const seen = new Set<string>();
    const reloader = (async () => {
      for (let n = 1; n <= total; n++) {
        m.activate(text(n), null, 'test');
        if (n % 3 === 0) expect(() => m.activate('broken: [', null, 'test')).toThrow();
        reloads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const decider = (async () => {
      let decisions = 0;
      while (reloads < total) {
        const p = m.current;
        if (!p) throw new Error('no policy during reload');
        const d = evaluate(p, input, NOW);
        expect(d.policy).toEqual({ version: p.version, digest: p.digest });
        const want = expected(d.policy.version);
        expect(d.decision, d.policy.version).toBe(want.decision);
        expect(d.fields.map((f) => f.verdict)).toEqual(want.verdicts);
        seen.add(want.decision);
        decisions++;
        if (decisions % 50 === 0) await new Promise((r) => setImmediate(r));
      }
      return decisions;
    })();
    const [, decisions] = await Promise.all([reloader, decider]);
    expect(decisions).toBeGreaterThan(total);
    expect(seen).toEqual(new Set(['allow_with_obligations', 'deny']));
    expect(m.current?.version).toBe(`r${total}`);
  });
});
