import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What `signature.json` of a bundle holds: an Ed25519 signature over the canonical manifest bytes. */
export interface BundleSignature {
  algorithm: 'Ed25519';
  /** SPKI PEM of the signing key. */
  publicKey: string;
  /** `sha256:<hex>` of the SPKI DER: what a verifier pins. */
  keyId: string;
  /** base64 */
  signature: string;
}

export function keyId(key: KeyObject): string {
  return (
    'sha256:' +
    createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('hex')
  );
}

/** The signing key at `path` (PKCS#8 PEM, mode 0600), created on first use. */
export async function loadOrCreateSigningKey(path: string): Promise<{ key: KeyObject; created: boolean }> {
  try {
    return { key: createPrivateKey(await readFile(path, 'utf8')), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return { key: privateKey, created: true };
}

export function signBytes(privateKey: KeyObject, bytes: Buffer): BundleSignature {
  const publicKey = createPublicKey(privateKey);
  return {
    algorithm: 'Ed25519',
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyId(publicKey),
    signature: sign(null, bytes, privateKey).toString('base64'),
  };
}

/** Whether `signature` is a valid Ed25519 signature of `bytes` by the key it names. */
export function verifyBytes(signature: BundleSignature, bytes: Buffer): boolean {
  if (signature.algorithm !== 'Ed25519') return false;
  try {
    const key = createPublicKey(signature.publicKey);
    return (
      keyId(key) === signature.keyId && verify(null, bytes, key, Buffer.from(signature.signature, 'base64'))
    );
  } catch {
    return false;
  }
}
