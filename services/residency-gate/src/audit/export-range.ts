import type { SignedCheckpoint } from './audit-record.ts';
import { GENESIS_HASH } from './audit-record.ts';
import type { VerifyProblem } from './verify-audit.ts';

/** The range an export's head signs: seq `firstSeq`..`lastSeq`, holding `checkpoints` checkpoints. */
export interface ExportRangeSigned {
  firstSeq: number;
  lastSeq: number;
  checkpoints: number;
}

/** A record line as the verifier read it. */
export interface ChainLine {
  line: number;
  seq: number;
  prev_hash: string;
}

/** The range a head signs, when it records one (heads of older gates do not). */
export function headRange(c: SignedCheckpoint): ExportRangeSigned | null {
  if (
    typeof c.first_seq !== 'number' ||
    typeof c.checkpoints !== 'number' ||
    (c.first_prev_hash !== null && typeof c.first_prev_hash !== 'string')
  )
    return null;
  return { firstSeq: c.first_seq, lastSeq: c.seq, checkpoints: c.checkpoints };
}

/** What the records and checkpoints of the file lack, or hold beyond, the range its head signs. */
export function rangeProblems(
  line: number,
  c: SignedCheckpoint,
  range: ExportRangeSigned,
  records: readonly ChainLine[],
  checkpointCount: number,
): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  const { firstSeq, lastSeq } = range;
  const first = records[0];
  const covers = `the head signed at export (line ${line}) covers seq ${firstSeq}..${lastSeq}`;
  if (first === undefined) {
    if (lastSeq >= firstSeq)
      out.push({
        kind: 'removed',
        line,
        seq: firstSeq,
        message: `records seq ${firstSeq}..${lastSeq} removed: ${covers} and no record is left`,
      });
  } else if (first.seq > firstSeq) {
    const cut = first.seq - 1 === firstSeq ? `seq ${firstSeq}` : `seq ${firstSeq}..${first.seq - 1}`;
    out.push({
      kind: 'removed',
      line: first.line,
      seq: firstSeq,
      message: `record ${cut} removed from the start: ${covers}, and the file starts at seq ${first.seq} (line ${first.line})`,
    });
  } else if (first.seq < firstSeq) {
    out.push({
      kind: 'added',
      line: first.line,
      seq: first.seq,
      message: `record seq ${first.seq} (line ${first.line}) was added before the range: ${covers}`,
    });
  } else if (first.prev_hash !== c.first_prev_hash || (firstSeq === 1 && first.prev_hash !== GENESIS_HASH)) {
    out.push({
      kind: 'altered',
      line: first.line,
      seq: first.seq,
      message: `record seq ${first.seq} (line ${first.line}) was altered: its prev_hash is not the one the head signed at export (line ${line}) names for it`,
    });
  }
  const beyond = records.filter((r) => r.seq > lastSeq);
  if (beyond.length > 0 && first !== undefined) {
    const b = beyond[0] as ChainLine;
    out.push({
      kind: 'added',
      line: b.line,
      seq: b.seq,
      message: `record seq ${b.seq} (line ${b.line}) was added after the range: ${covers}`,
    });
  }
  if (checkpointCount < range.checkpoints)
    out.push({
      kind: 'removed',
      line,
      seq: null,
      message: `${range.checkpoints - checkpointCount} checkpoint(s) removed: the head signed at export (line ${line}) counts ${range.checkpoints}, the file holds ${checkpointCount}`,
    });
  else if (checkpointCount > range.checkpoints)
    out.push({
      kind: 'added',
      line,
      seq: null,
      message: `${checkpointCount - range.checkpoints} checkpoint(s) added: the head signed at export (line ${line}) counts ${range.checkpoints}, the file holds ${checkpointCount}`,
    });
  return out;
}
