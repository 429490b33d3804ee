import { hash } from 'node:crypto';
import { canonicalize } from '../jcs/canonical-json.ts';

export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;
export const DECISION_PATH = 'data_spine/residency/route';

/**
 * One decision as the audit log keeps it, named after OPA's decision-log fields where they fit
 * (decision_id, timestamp, path, input, result, bundles, requested_by, req_id). The input holds field
 * names and tags only: a decision request never carries field values.
 */
export interface AuditEntry {
  type: 'decision';
  decision_id: string;
  timestamp: string;
  path: string;
  input: unknown;
  input_hash: string;
  result: {
    decision: string;
    enforced: boolean;
    fields: Array<{ name: string; verdict: string; rule: string | null }>;
    reason_codes: string[];
    shadow_decision: string | null;
  };
  result_hash: string;
  bundles: { residency: { revision: string; digest: string } };
  requested_by: string;
  req_id: string;
}

/** An entry placed in the chain: its sequence number and the hash of the record before it. */
export interface ChainedRecord extends AuditEntry {
  seq: number;
  prev_hash: string;
}

/** `crypto.hash` is the one-shot form: no Hash object per call (a third of an append's CPU otherwise). */
export const sha256 = (text: string) => `sha256:${hash('sha256', text, 'hex')}`;

/**
 * The record's hash: SHA-256 over its RFC 8785 canonical form (which includes prev_hash), by the generic
 * canonicalizer (tests and tools; the writer fills the same text in from entry bytes, `writeRecord`).
 */
export function recordHash(record: ChainedRecord): { canonical: string; hash: string } {
  const canonical = canonicalize(record);
  return { canonical, hash: sha256(canonical) };
}

/**
 * What a checkpoint signs: the chain head at `seq`. A `head` (the last line of an export, signed at export
 * time) also signs the range the export covers: from `first_seq` (whose record's prev_hash is
 * `first_prev_hash`; null when nothing was exported) to `seq`, and how many checkpoints it holds.
 */
export interface CheckpointBody {
  type: 'checkpoint' | 'head';
  seq: number;
  hash: string;
  timestamp: string;
  key_id: string;
  first_seq?: number;
  first_prev_hash?: string | null;
  checkpoints?: number;
}

/** The range an export covers, as its head signs it. */
export interface ExportRange {
  firstSeq: number;
  firstPrevHash: string | null;
  lastSeq: number;
  lastHash: string;
  checkpoints: number;
}

export interface SignedCheckpoint extends CheckpointBody {
  public_key: string;
  signature: string;
}
