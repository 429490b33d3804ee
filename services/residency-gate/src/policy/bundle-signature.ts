import type { KeyObject } from 'node:crypto';
import { keyIdOf, verifyText } from '../audit/signing-key.ts';

/** A detached Ed25519 signature over the exact bytes of a matrix (a `.sig` file, or `signature` in PUT). */
export interface BundleSignature {
  signature: string;
  key_id?: string | undefined;
}

/** A `.sig` file: JSON `{signature, key_id?}`, or the bare base64 signature. */
export function parseSignatureFile(text: string): BundleSignature {
  const t = text.trim();
  if (t.startsWith('{')) {
    const v = JSON.parse(t) as { signature?: unknown; key_id?: unknown };
    if (typeof v.signature !== 'string') throw new Error('the signature file has no "signature"');
    return { signature: v.signature, key_id: typeof v.key_id === 'string' ? v.key_id : undefined };
  }
  return { signature: t };
}

/** The trusted key that verifies the signature, or null. */
export function verifyBundle(text: string, sig: BundleSignature, keys: readonly KeyObject[]): string | null {
  for (const key of keys) {
    const id = keyIdOf(key);
    if (sig.key_id !== undefined && sig.key_id !== id) continue;
    if (verifyText(key, text, sig.signature)) return id;
  }
  return null;
}
