import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const v = (version: string) => SAMPLE_TEXT.replace("version: '2026.12.1'", `version: '${version}'`);
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

  it('never splits a decision across versions under concurrent reloads', async () => {
    const m = new PolicyManager({ log, requireSigned: false, trustedKeys: [] });
    m.activate(v('r0'), null, 'test');
    const input = route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [
      ['email', 'pii'],
      ['card', 'pci'],
    ]);
    const texts = Array.from({ length: 20 }, (_, i) => v(`r${i + 1}`));
    let reloads = 0;
    let decisions = 0;
    const reloader = (async () => {
      for (const t of texts) {
        m.activate(t, null, 'test');
        if (reloads % 3 === 0) expect(() => m.activate('broken: [', null, 'test')).toThrow();
        reloads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const decider = (async () => {
      while (reloads < texts.length) {
        const p = m.current;
        if (!p) throw new Error('no policy during reload');
        const d = evaluate(p, input, NOW);
        expect(d.policy.version).toBe(p.version);
        expect(d.policy.digest).toBe(p.digest);
        expect(d.decision).toBe('deny');
        expect(d.fields.map((f) => f.verdict)).toEqual(['hash', 'deny']);
        decisions++;
        if (decisions % 50 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all([reloader, decider]);
    expect(decisions).toBeGreaterThan(20);
    expect(m.current?.version).toBe('r20');
  });
});
