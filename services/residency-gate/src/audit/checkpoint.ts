import { canonicalize } from '../jcs/canonical-json.ts';
import type { CheckpointBody, SignedCheckpoint } from './audit-record.ts';
import { signText, verifyText } from './signing-key.ts';
import type { SigningKey } from './signing-key.ts';
import { publicKeyFrom } from './signing-key.ts';
import type { KeyObject } from 'node:crypto';

/** The members a signature covers (a head's range too), in a fixed shape. */
function signedBody(c: CheckpointBody): CheckpointBody {
  const base: CheckpointBody = {
    type: c.type,
    seq: c.seq,
    hash: c.hash,
    timestamp: c.timestamp,
    key_id: c.key_id,
  };
  return c.type === 'head'
    ? { ...base, first_seq: c.first_seq, first_prev_hash: c.first_prev_hash, checkpoints: c.checkpoints }
    : base;
}

export function signCheckpoint(key: SigningKey, body: Omit<CheckpointBody, 'key_id'>): SignedCheckpoint {
  const full = signedBody({ ...body, key_id: key.keyId });
  return { ...full, public_key: key.publicKeyBase64, signature: signText(key, canonicalize(full)) };
}

/** Checks a checkpoint's signature, against a pinned key when given, else the key it carries. */
export function checkpointSignatureValid(c: SignedCheckpoint, pinned: KeyObject | null): boolean {
  let key: KeyObject;
  try {
    key = pinned ?? publicKeyFrom(c.public_key);
  } catch {
    return false;
  }
  return verifyText(key, canonicalize(signedBody(c)), c.signature);
}
