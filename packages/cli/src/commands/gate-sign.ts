import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { compilePolicy, parseMatrix, signingKeyFrom, signText, verifyText } from '@data-spine/residency-gate';
import type { SigningKey } from '@data-spine/residency-gate';
import { UsageError } from '../cli-config.ts';
import { loadPolicy } from './gate-sources.ts';

/**
 * `spine gate keygen --out FILE`: a new Ed25519 key pair for signing policy bundles. The private key goes
 * to FILE (mode 0600, never overwritten), the public key to FILE.pub: that is what a gate trusts, through
 * SPINE_GATE_POLICY_KEYS_FILE (which may hold several, for rotation).
 */
export async function gateKeygen(out: string, json: boolean): Promise<number> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = signingKeyFrom(privateKey);
  const write = (path: string, text: string, mode: number) =>
    writeFile(path, text, { mode, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(
        err.code === 'EEXIST' ? `${path} exists; keys are never overwritten` : `${path}: ${err.message}`,
      );
    });
  await write(out, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  await write(`${out}.pub`, key.publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  if (json) console.log(JSON.stringify({ key_id: key.keyId, private_key: out, public_key: `${out}.pub` }));
  else {
    console.log(`key ${key.keyId}`);
    console.log(`  private: ${out} (keep it secret: whoever holds it can sign policies)`);
    console.log(`  public:  ${out}.pub (add it to the gate's SPINE_GATE_POLICY_KEYS_FILE)`);
  }
  return 0;
}

async function readSigningKey(path: string): Promise<SigningKey> {
  const pem = await readFile(path, 'utf8').catch((err: Error) => {
    throw new UsageError(`cannot read the key ${path}: ${err.message}`);
  });
  try {
    return signingKeyFrom(createPrivateKey(pem));
  } catch (err) {
    throw new UsageError(`${path}: not an Ed25519 private key (${(err as Error).message})`);
  }
}

/**
 * `spine gate sign <matrix> --key FILE`: signs the matrix's exact bytes and writes `<matrix>.sig`, the
 * detached signature the gate verifies before it activates the matrix (file reload or PUT /v1/policy).
 * An invalid matrix is not signed: a signature vouches for a policy the gate can load.
 */
export async function gateSign(
  matrixFile: string,
  keyFile: string,
  out: string | undefined,
  json: boolean,
): Promise<number> {
  const policy = await loadPolicy(matrixFile);
  const text = await readFile(matrixFile, 'utf8');
  // The bytes signed are the bytes validated: the file may not change between the two reads unnoticed.
  if (compilePolicy(parseMatrix(text, matrixFile)).digest !== policy.digest)
    throw new UsageError(`${matrixFile} changed while it was being signed; sign it again`);
  const key = await readSigningKey(keyFile);
  const signature = signText(key, text);
  if (!verifyText(key.publicKey, text, signature)) throw new Error('the signature does not verify');
  const sigFile = out ?? `${matrixFile}.sig`;
  await writeFile(sigFile, `${JSON.stringify({ signature, key_id: key.keyId })}\n`);
  if (json)
    console.log(
      JSON.stringify({
        matrix: matrixFile,
        version: policy.version,
        digest: policy.digest,
        key_id: key.keyId,
        signature: sigFile,
      }),
    );
  else
    console.log(
      `signed ${matrixFile} (version ${policy.version}, ${policy.digest}) with ${key.keyId}\n  signature: ${sigFile}`,
    );
  return 0;
}
