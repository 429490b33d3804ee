import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliEnv } from '../cli-config.ts';
import { UsageError } from '../cli-config.ts';
import { canonicalBytes, digestFiles, MANIFEST_FILE, SIGNATURE_FILE } from '../evidence/bundle-manifest.ts';
import type { BundleManifest } from '../evidence/bundle-manifest.ts';
import { keyId, loadOrCreateSigningKey, signBytes, verifyBytes } from '../evidence/bundle-signature.ts';
import type { BundleSignature } from '../evidence/bundle-signature.ts';
import { collectEvidence } from '../evidence/collect-evidence.ts';
import { createPublicKey } from 'node:crypto';

const USAGE = `spine evidence <command>
  bundle [--out DIR] [--key FILE] [--root DIR]   collect and sign an evidence bundle
  verify <DIR> [--public-key FILE]               check every file's digest and the signature
The signing key defaults to <SPINE_DATA_DIR>/evidence-signing-key.pem (Ed25519, created on first use).
Exit codes: 0 ok, 1 verification failed, 2 usage error.`;

async function bundle(values: Record<string, string | boolean | undefined>, env: Readonly<CliEnv>) {
  const dataDir = resolve(env.SPINE_DATA_DIR);
  const root = resolve(typeof values.root === 'string' ? values.root : '.');
  const createdAt = new Date().toISOString();
  const out = resolve(
    typeof values.out === 'string'
      ? values.out
      : join(root, '.evidence/bundles', createdAt.replace(/[:.]/g, '-')),
  );
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const keyFile = typeof values.key === 'string' ? values.key : join(dataDir, 'evidence-signing-key.pem');
  const { key, created } = await loadOrCreateSigningKey(keyFile);
  const { commit, skipped } = await collectEvidence({ root, dataDir, out });
  const manifest: BundleManifest = {
    kind: 'data-spine-evidence',
    version: 1,
    createdAt,
    commit,
    files: await digestFiles(out),
    skipped,
  };
  await writeFile(join(out, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  const signature = signBytes(key, canonicalBytes(manifest));
  await writeFile(join(out, SIGNATURE_FILE), JSON.stringify(signature, null, 2) + '\n');
  console.log(`evidence bundle ${out}`);
  console.log(`  ${manifest.files.length} files, commit ${commit ?? 'unknown'}`);
  for (const s of skipped) console.log(`  not included: ${s.item} (${s.reason})`);
  console.log(`  signed by ${signature.keyId}${created ? ` (new key ${keyFile})` : ''}`);
  return 0;
}

async function verifyBundle(dir: string, pinnedKeyFile: string | undefined): Promise<number> {
  let manifest: BundleManifest;
  let signature: BundleSignature;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as BundleManifest;
    signature = JSON.parse(await readFile(join(dir, SIGNATURE_FILE), 'utf8')) as BundleSignature;
  } catch (err) {
    throw new UsageError(`${dir} is not an evidence bundle: ${(err as Error).message}`);
  }
  const problems: string[] = [];
  if (!verifyBytes(signature, canonicalBytes(manifest))) problems.push('the signature does not verify');
  if (pinnedKeyFile) {
    const pinned = keyId(createPublicKey(await readFile(pinnedKeyFile, 'utf8')));
    if (pinned !== signature.keyId) problems.push(`signed by ${signature.keyId}, expected ${pinned}`);
  }
  const actual = new Map((await digestFiles(dir)).map((e) => [e.path, e]));
  for (const entry of manifest.files) {
    const found = actual.get(entry.path);
    if (!found) problems.push(`missing: ${entry.path}`);
    else if (found.sha256 !== entry.sha256) problems.push(`altered: ${entry.path}`);
    actual.delete(entry.path);
  }
  for (const extra of actual.keys()) problems.push(`not in the manifest: ${extra}`);
  if (problems.length > 0) {
    for (const p of problems) console.log(`FAIL ${p}`);
    return 1;
  }
  console.log(
    `ok: ${manifest.files.length} files as signed by ${signature.keyId} at ${manifest.createdAt} (commit ${manifest.commit ?? 'unknown'})`,
  );
  return 0;
}

export async function evidenceCommand(args: readonly string[], env: Readonly<CliEnv>): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      key: { type: 'string' },
      root: { type: 'string' },
      'public-key': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  switch (command) {
    case 'bundle':
      return bundle(values, env);
    case 'verify':
      if (rest.length !== 1) throw new UsageError(`spine evidence verify: which bundle?\n\n${USAGE}`);
      return verifyBundle(resolve(rest[0] as string), values['public-key']);
    default:
      throw new UsageError(command ? `unknown evidence command ${command}\n\n${USAGE}` : USAGE);
  }
}
