import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { publicKeyFrom, verifyAuditLines } from '@data-spine/residency-gate';
import { UsageError } from '../cli-config.ts';
import { callGate } from '../gate-target.ts';
import type { GateTarget } from '../gate-target.ts';

export interface VerifyAuditOptions {
  file: string;
  /** `--public-key`: a PEM file, PEM text or base64 SPKI DER. */
  publicKey: string | undefined;
  /** `--gate URL`: fetch the key from the running gate's GET /v1/audit/key. */
  gate: GateTarget | null;
  allowUntrustedKey: boolean;
  json: boolean;
}

const AuditKey = z.object({ key_id: z.string(), public_key: z.string() });

/** The key signatures must verify against, and where it came from; null when none was given. */
async function trustedKey(o: VerifyAuditOptions): Promise<{ key: KeyObject; from: string } | null> {
  if (o.publicKey !== undefined && o.gate !== null)
    throw new UsageError('spine gate verify-audit: give --public-key or --gate, not both');
  if (o.publicKey !== undefined) {
    const given = o.publicKey;
    const text = await readFile(given, 'utf8').catch(() => given);
    try {
      return { key: publicKeyFrom(text), from: 'the pinned key (--public-key)' };
    } catch (err) {
      throw new UsageError(`--public-key: ${(err as Error).message}`);
    }
  }
  if (o.gate !== null) {
    const res = await callGate(o.gate, 'GET', '/v1/audit/key');
    try {
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      const k = AuditKey.parse(JSON.parse(res.text) as unknown);
      return { key: publicKeyFrom(k.public_key), from: `the key of the gate at ${o.gate.url} (${k.key_id})` };
    } catch (err) {
      throw new UsageError(
        `the gate at ${o.gate.url} gave no audit key (${(err as Error).message}): ${res.text.slice(0, 300)}`,
      );
    }
  }
  return null;
}

/**
 * `spine gate verify-audit`: verifies an export offline against the gate's public key. Without one the
 * signatures prove nothing (a forger carries their own key), so that fails unless --allow-untrusted-key.
 * Exit 0 verified, 1 a problem (the first names the record), 2 usage or connection error.
 */
export async function gateVerifyAudit(o: VerifyAuditOptions): Promise<number> {
  const text = await readFile(o.file, 'utf8').catch((err: Error) => {
    throw new UsageError(`cannot read ${o.file}: ${err.message}`);
  });
  const trusted = await trustedKey(o);
  const report = verifyAuditLines(text, {
    publicKey: trusted?.key ?? null,
    allowUntrustedKey: o.allowUntrustedKey,
  });
  const keyWords = trusted
    ? `against ${trusted.from}`
    : 'only against the key the file carries (--allow-untrusted-key: this does not show who signed it)';
  if (o.json) {
    console.log(JSON.stringify({ ...report, key: trusted?.from ?? null }, null, 2));
  } else {
    const first = report.problems[0];
    if (first) {
      console.log(`FAILED: ${first.message}`);
      for (const p of report.problems.slice(1, 10)) console.log(`  also: ${p.message}`);
    } else {
      console.log(
        `ok: ${report.records} record(s) (seq ${report.firstSeq ?? '-'}..${report.lastSeq ?? '-'}), ${report.checkpoints} checkpoint(s) and the head verify ${keyWords}`,
      );
    }
  }
  return report.ok ? 0 : 1;
}
