import type { KeyObject } from 'node:crypto';
import { canonicalize } from '../jcs/canonical-json.ts';
import type { SignedCheckpoint } from './audit-record.ts';
import { GENESIS_HASH, sha256 } from './audit-record.ts';
import { checkpointSignatureValid } from './checkpoint.ts';

export type ProblemKind = 'malformed' | 'altered' | 'removed' | 'reordered' | 'truncated' | 'checkpoint';

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

/**
 * Verifies an exported audit log (GET /v1/audit JSON lines) offline: each record's hash over its RFC 8785
 * form, the chain of prev_hash, consecutive sequence numbers, the signed checkpoints, and the signed head
 * that ends an export. The first problem names the first record altered, removed or reordered.
 */
export function verifyAuditLines(text: string, options: { publicKey?: KeyObject | null } = {}): VerifyReport {
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
  const checkSigned = (line: number, c: SignedCheckpoint, label: string) => {
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
    }
  };
  for (const { line, c } of checkpoints) checkSigned(line, c, 'checkpoint');
  const h = head as { line: number; c: SignedCheckpoint } | null;
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
    if (lastSeq === null && h.c.seq > 0)
      problems.push({
        kind: 'truncated',
        line: h.line,
        seq: h.c.seq,
        message: `the head names seq ${h.c.seq} but no record is left`,
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
    problems,
  };
}
