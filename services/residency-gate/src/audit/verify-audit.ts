import type { KeyObject } from 'node:crypto';
import { canonicalize } from '../jcs/canonical-json.ts';
import type { SignedCheckpoint } from './audit-record.ts';
import type { ExportRangeSigned } from './export-range.ts';
import { GENESIS_HASH, sha256 } from './audit-record.ts';
import { checkpointSignatureValid } from './checkpoint.ts';
import { headRange, rangeProblems } from './export-range.ts';

export type ProblemKind =
  | 'malformed'
  | 'altered'
  | 'removed'
  | 'added'
  | 'reordered'
  | 'truncated'
  | 'checkpoint'
  | 'unsigned'
  | 'untrusted-key';

export interface VerifyProblem {
  kind: ProblemKind;
  line: number;
  seq: number | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** True when a head line (signed at export) ends the file. */
  head: boolean;
  /** The checkpoints' signatures were checked against a pinned key rather than the key they carry. */
  pinnedKey: boolean;
  /** The range the head says the export covers (null without a head that records it). */
  range: ExportRangeSigned | null;
  problems: VerifyProblem[];
}

interface RecordLine {
  line: number;
  seq: number;
  hash: string;
  prev_hash: string;
  body: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface VerifyOptions {
  /** The gate's public key (GET /v1/audit/key): every signature must verify against it. */
  publicKey?: KeyObject | null;
  /**
   * Without a public key, check signatures against the key the file carries (a forger can carry their
   * own): reported as a problem unless this is set.
   */
  allowUntrustedKey?: boolean;
}

/**
 * Verifies an exported audit log (GET /v1/audit JSON lines) offline: each record's hash over its RFC 8785
 * form, the chain of prev_hash, consecutive sequence numbers, the signed checkpoints (at least one must
 * cover the records), and the signed head that ends an export and names the range it covers, so records
 * cut from the start, the middle or the end are named. The first problem names the first record altered,
 * removed, added or reordered. Without the gate's public key nothing signed can be trusted, and that is a
 * problem too unless `allowUntrustedKey`.
 */
export function verifyAuditLines(text: string, options: VerifyOptions = {}): VerifyReport {
  const pinned = options.publicKey ?? null;
  const problems: VerifyProblem[] = [];
  const records: RecordLine[] = [];
  const checkpoints: Array<{ line: number; c: SignedCheckpoint }> = [];
  let head: { line: number; c: SignedCheckpoint } | null = null;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      problems.push({ kind: 'malformed', line, seq: null, message: `line ${line} is not JSON` });
      return;
    }
    if (!isObject(v)) {
      problems.push({ kind: 'malformed', line, seq: null, message: `line ${line} is not a JSON object` });
      return;
    }
    if (head !== null) {
      problems.push({
        kind: 'malformed',
        line,
        seq: null,
        message: `line ${line} follows the head line, which must be last`,
      });
    }
    if (v.type === 'checkpoint' || v.type === 'head') {
      const c = v as unknown as SignedCheckpoint;
      if (typeof c.seq !== 'number' || typeof c.hash !== 'string' || typeof c.signature !== 'string') {
        problems.push({
          kind: 'malformed',
          line,
          seq: null,
          message: `line ${line}: a ${v.type} needs seq, hash and signature`,
        });
        return;
      }
      if (v.type === 'head') head = { line, c };
      else checkpoints.push({ line, c });
      return;
    }
    const { hash, ...body } = v;
    if (
      v.type !== 'decision' ||
      typeof v.seq !== 'number' ||
      typeof hash !== 'string' ||
      typeof v.prev_hash !== 'string'
    ) {
      problems.push({
        kind: 'malformed',
        line,
        seq: typeof v.seq === 'number' ? v.seq : null,
        message: `line ${line} is not an audit record (type, seq, prev_hash, hash)`,
      });
      return;
    }
    records.push({ line, seq: v.seq, hash, prev_hash: v.prev_hash, body });
  });

  const bySeq = new Map<number, RecordLine>();
  for (const r of records) if (!bySeq.has(r.seq)) bySeq.set(r.seq, r);
  const hashes = new Map<number, string>();
  let prev: RecordLine | null = null;
  for (const r of records) {
    let computed: string;
    try {
      computed = sha256(canonicalize(r.body));
    } catch {
      computed = '';
    }
    if (computed !== r.hash) {
      problems.push({
        kind: 'altered',
        line: r.line,
        seq: r.seq,
        message: `record seq ${r.seq} (line ${r.line}) was altered: its content does not hash to its hash`,
      });
    }
    if (prev === null) {
      if (r.seq === 1 && r.prev_hash !== GENESIS_HASH)
        problems.push({
          kind: 'altered',
          line: r.line,
          seq: r.seq,
          message: `record seq 1 (line ${r.line}) does not start the chain`,
        });
    } else if (r.seq !== prev.seq + 1) {
      const missing = prev.seq + 1;
      const later = bySeq.get(missing);
      if (later && later.line > r.line) {
        problems.push({
          kind: 'reordered',
          line: r.line,
          seq: missing,
          message: `record seq ${missing} was moved: it is at line ${later.line}, after seq ${r.seq} (line ${r.line})`,
        });
      } else if (r.seq <= prev.seq) {
        problems.push({
          kind: 'reordered',
          line: r.line,
          seq: r.seq,
          message: `record seq ${r.seq} (line ${r.line}) is out of order: it follows seq ${prev.seq}`,
        });
      } else {
        const range = r.seq - 1 === missing ? `seq ${missing}` : `seq ${missing}..${r.seq - 1}`;
        problems.push({
          kind: 'removed',
          line: r.line,
          seq: missing,
          message: `record ${range} removed: seq ${prev.seq} (line ${prev.line}) is followed by seq ${r.seq} (line ${r.line})`,
        });
      }
    } else if (r.prev_hash !== prev.hash) {
      problems.push({
        kind: 'altered',
        line: prev.line,
        seq: prev.seq,
        message: `record seq ${prev.seq} (line ${prev.line}) was altered: its hash is not the prev_hash of seq ${r.seq}`,
      });
    }
    hashes.set(r.seq, r.hash);
    prev = r;
  }

  const firstSeq = records[0]?.seq ?? null;
  const lastSeq = prev?.seq ?? null;
  const carriedKeys = new Set<string>();
  let covering = 0;
  const checkSigned = (line: number, c: SignedCheckpoint, label: string) => {
    if (typeof c.public_key === 'string') carriedKeys.add(c.public_key);
    if (!checkpointSignatureValid(c, pinned)) {
      problems.push({
        kind: 'checkpoint',
        line,
        seq: c.seq,
        message: `${label} at seq ${c.seq} (line ${line}) has an invalid signature${pinned ? ' for the pinned key' : ''}`,
      });
      return;
    }
    const h = hashes.get(c.seq);
    if (h !== undefined && h !== c.hash) {
      problems.push({
        kind: 'altered',
        line: bySeq.get(c.seq)?.line ?? line,
        seq: c.seq,
        message: `records up to seq ${c.seq} were altered: the chain no longer matches the ${label} signed at line ${line}`,
      });
    } else if (
      h === undefined &&
      firstSeq !== null &&
      lastSeq !== null &&
      c.seq >= firstSeq &&
      c.seq <= lastSeq
    ) {
      problems.push({
        kind: 'removed',
        line,
        seq: c.seq,
        message: `record seq ${c.seq}, which the ${label} at line ${line} signs, is missing`,
      });
    } else if (h !== undefined && label === 'checkpoint') covering++;
  };
  for (const { line, c } of checkpoints) checkSigned(line, c, 'checkpoint');
  const h = head as { line: number; c: SignedCheckpoint } | null;
  let range: ExportRangeSigned | null = null;
  if (h === null) {
    problems.push({
      kind: 'truncated',
      line: lines.length,
      seq: lastSeq,
      message: `no signed head line ends the file: it was truncated${lastSeq !== null ? ` after seq ${lastSeq}` : ''} (or is not a complete export)`,
    });
  } else {
    checkSigned(h.line, h.c, 'head');
    if (lastSeq !== null && h.c.seq > lastSeq)
      problems.push({
        kind: 'truncated',
        line: h.line,
        seq: lastSeq + 1,
        message: `records seq ${lastSeq + 1}..${h.c.seq} removed from the end: the head signed at export names seq ${h.c.seq}`,
      });
    range = headRange(h.c);
    if (range === null) {
      problems.push({
        kind: 'checkpoint',
        line: h.line,
        seq: h.c.seq,
        message: `the head (line ${h.line}) does not record the range the export covers (first_seq, first_prev_hash, checkpoints): export again from an up-to-date gate`,
      });
    } else {
      problems.push(...rangeProblems(h.line, h.c, range, records, checkpoints.length));
    }
  }
  if (records.length > 0 && covering === 0)
    problems.push({
      kind: 'unsigned',
      line: lines.length,
      seq: firstSeq,
      message: `no checkpoint signed when the records were written covers seq ${firstSeq}..${lastSeq}: only the head, signed at export, vouches for them (checkpoints removed, or export a range that includes one)`,
    });
  if (pinned === null) {
    // Key problems come after every problem of the content, so the first one still names a record.
    if (carriedKeys.size > 1)
      problems.push({
        kind: 'checkpoint',
        line: lines.length + 1,
        seq: null,
        message: `the checkpoints and the head carry ${carriedKeys.size} different keys: they were not all signed by one gate`,
      });
    if (options.allowUntrustedKey !== true)
      problems.push({
        kind: 'untrusted-key',
        line: lines.length + 1,
        seq: null,
        message:
          "no trusted key: signatures not verified (give the gate's public key; checking them against the key the file carries proves nothing, since a forger can carry their own)",
      });
  }
  // The first problem in file order is the one to name.
  problems.sort((a, b) => a.line - b.line);
  return {
    ok: problems.length === 0,
    records: records.length,
    checkpoints: checkpoints.length,
    firstSeq,
    lastSeq,
    head: h !== null,
    pinnedKey: pinned !== null,
    range,
    problems,
  };
}
