import { canonicalize, str } from '../jcs/canonical-json.ts';
import type { AuditEntry } from './audit-record.ts';
import { sha256 } from './audit-record.ts';

/**
 * Audit entries on their way to the chain writer, which runs on a thread of its own: one line per entry,
 * its members already canonical JSON (RFC 8785), tab-separated. Canonical JSON holds no raw tab or
 * newline (JSON escapes them inside strings) and the plain members are checked not to, so a batch of
 * entries is one string: it crosses to the writer's thread as one copy, and group commit joins batches
 * with a newline. The writer adds what only it knows (seq, prev_hash) and the input's hash when absent.
 */
export interface EntryLines {
  text: string;
  count: number;
}

/** Members of a line, in order. */
const ID = 0;
const TIMESTAMP = 1;
const INPUT = 2;
const INPUT_HASH = 3;
const RESULT = 4;
const RESULT_HASH = 5;
const BUNDLES = 6;
const REQUESTED_BY = 7;
const REQ_ID = 8;
const PATH = 9;
/** Members per line. */
export const LINE_MEMBERS = 10;

/** The members of one entry, as canonical JSON except where noted. */
export interface EntryParts {
  /** Plain text (no tab or newline). */
  decisionId: string;
  /** Plain text (no tab or newline). */
  timestamp: string;
  input: string;
  /** Plain text; empty: the writer hashes `input` (SHA-256 of its canonical form). */
  inputHash: string;
  result: string;
  /** Plain text. */
  resultHash: string;
  bundles: string;
  requestedBy: string;
  reqId: string;
  path: string;
}

const RAW_SEPARATOR = /[\t\n]/;

function plain(name: string, value: string): string {
  if (RAW_SEPARATOR.test(value)) throw new Error(`audit ${name} holds a raw tab or newline`);
  return value;
}

/** One entry's line (without its newline). */
export function entryLine(p: EntryParts): string {
  return (
    `${plain('decision_id', p.decisionId)}\t${plain('timestamp', p.timestamp)}\t${p.input}` +
    `\t${plain('input_hash', p.inputHash)}\t${p.result}\t${plain('result_hash', p.resultHash)}` +
    `\t${p.bundles}\t${p.requestedBy}\t${p.reqId}\t${p.path}`
  );
}

/** Entries as lines (tests, tools and callers holding `AuditEntry` objects). */
export function entryLines(entries: readonly AuditEntry[]): EntryLines {
  const lines = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as AuditEntry;
    lines[i] = entryLine({
      decisionId: e.decision_id,
      timestamp: e.timestamp,
      input: canonicalize(e.input),
      inputHash: e.input_hash,
      result: canonicalize(e.result),
      resultHash: e.result_hash,
      bundles: canonicalize(e.bundles),
      requestedBy: str(e.requested_by),
      reqId: str(e.req_id),
      path: str(e.path),
    });
  }
  return { text: lines.join('\n'), count: entries.length };
}

/** Lines of several appends as one (group commit). */
export function joinLines(batches: readonly EntryLines[]): EntryLines {
  const some = batches.filter((b) => b.count > 0);
  return { text: some.map((b) => b.text).join('\n'), count: some.reduce((n, b) => n + b.count, 0) };
}

/** The members of every line, flat: entry i's member m is at `i * LINE_MEMBERS + m`. */
export function splitLines(lines: EntryLines): string[] {
  if (lines.count === 0) return [];
  const members = lines.text.split(/[\t\n]/);
  if (members.length !== lines.count * LINE_MEMBERS)
    throw new Error(
      `audit lines hold ${members.length} members; ${lines.count} entries need ${lines.count * LINE_MEMBERS}`,
    );
  return members;
}

/**
 * Entry `i`'s record as it is chained: its canonical form (RFC 8785, members in code-unit order), with
 * `seq` and `prev_hash` added. Equals the generic `canonicalize` of the same record (tests check it).
 */
export function lineRecord(m: readonly string[], i: number, seq: number, prevHash: string): string {
  const k = i * LINE_MEMBERS;
  const input = m[k + INPUT] as string;
  const given = m[k + INPUT_HASH] as string;
  return (
    `{"bundles":${m[k + BUNDLES]},"decision_id":${str(m[k + ID] as string)},"input":${input}` +
    `,"input_hash":${str(given === '' ? sha256(input) : given)},"path":${m[k + PATH]}` +
    `,"prev_hash":${str(prevHash)},"req_id":${m[k + REQ_ID]},"requested_by":${m[k + REQUESTED_BY]}` +
    `,"result":${m[k + RESULT]},"result_hash":${str(m[k + RESULT_HASH] as string)},"seq":${seq}` +
    `,"timestamp":${str(m[k + TIMESTAMP] as string)},"type":"decision"}`
  );
}
