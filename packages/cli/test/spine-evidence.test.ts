import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../src/bin.ts');
const root = join(import.meta.dirname, '../../..');

function spine(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('spine evidence: signed bundles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spine-evidence-'));
  const env = { SPINE_DATA_DIR: join(dir, 'data') };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'bundles the policy, routes, ops config and ADRs, signs them, and verifies',
    { timeout: 60_000 },
    async () => {
      const out = join(dir, 'bundle');
      const made = await spine(['evidence', 'bundle', '--out', out, '--root', root], env);
      expect(made.code, made.out).toBe(0);
      expect(made.out).toContain('signed by sha256:');
      expect(made.out).toContain('not included: live (no running spine');
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        files: Array<{ path: string }>;
        commit: string | null;
      };
      const paths = manifest.files.map((f) => f.path);
      expect(paths).toContain('policy/cdc-routes.yaml');
      expect(paths).toContain('ops/runbooks.md');
      expect(paths.some((p) => p.startsWith('adr/'))).toBe(true);
      expect(manifest.commit).toMatch(/^[0-9a-f]{40}$/);
      const ok = await spine(['evidence', 'verify', out], env);
      expect(ok.code, ok.out).toBe(0);
      expect(ok.out).toContain(`ok: ${manifest.files.length} files`);
    },
  );

  it(
    'names each file altered, removed or added, and a bundle signed by another key',
    { timeout: 120_000 },
    async () => {
      const out = join(dir, 'tampered');
      expect((await spine(['evidence', 'bundle', '--out', out, '--root', root], env)).code).toBe(0);
      appendFileSync(join(out, 'ops/runbooks.md'), '\nedited after signing\n');
      unlinkSync(join(out, 'policy/cdc-routes.yaml'));
      writeFileSync(join(out, 'smuggled.txt'), 'x');
      const bad = await spine(['evidence', 'verify', out], env);
      expect(bad.code).toBe(1);
      expect(bad.out).toContain('FAIL altered: ops/runbooks.md');
      expect(bad.out).toContain('FAIL missing: policy/cdc-routes.yaml');
      expect(bad.out).toContain('FAIL not in the manifest: smuggled.txt');

      // The manifest edited to match: the signature no longer verifies.
      const forged = join(dir, 'forged');
      expect((await spine(['evidence', 'bundle', '--out', forged, '--root', root], env)).code).toBe(0);
      const m = JSON.parse(readFileSync(join(forged, 'manifest.json'), 'utf8')) as { commit: string };
      m.commit = '0'.repeat(40);
      writeFileSync(join(forged, 'manifest.json'), JSON.stringify(m));
      const res = await spine(['evidence', 'verify', forged], env);
      expect(res.code).toBe(1);
      expect(res.out).toContain('FAIL the signature does not verify');

      // Pinning a key: a bundle signed with a different key is refused.
      const other = join(dir, 'other');
      expect(
        (
          await spine(
            ['evidence', 'bundle', '--out', other, '--root', root, '--key', join(dir, 'other-key.pem')],
            env,
          )
        ).code,
      ).toBe(0);
      const pinned = JSON.parse(readFileSync(join(dir, 'bundle/signature.json'), 'utf8')) as {
        publicKey: string;
      };
      writeFileSync(join(dir, 'pinned.pem'), pinned.publicKey);
      const refused = await spine(
        ['evidence', 'verify', other, '--public-key', join(dir, 'pinned.pem')],
        env,
      );
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/FAIL signed by sha256:[0-9a-f]+, expected sha256:/);
      expect((await spine(['evidence', 'verify', join(dir, 'nowhere')], env)).code).toBe(2);
    },
  );
});
