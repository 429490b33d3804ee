import { canonicalize, str } from '../jcs/canonical-json.ts';
import type { AuditEntry } from './audit-record.ts';
import { sha256 } from './audit-record.ts';

/**
 * Audit entries on their way to the chain writer (on a thread of its own, or this one): each entry is
 * its record's canonical form (RFC 8785) as UTF-8 already, with two holes only the writer can fill, the
 * `prev_hash` value and the `seq` value. Canonical key order puts both inside the record:
 *
 *   {"bundles":…,"decision_id":…,"input":…,"input_hash":…,"path":…,"prev_hash":▢,"req_id":…,
 *    "requested_by":…,"result":…,"result_hash":…,"seq":▢,"timestamp":…,"type":"decision"}
 *
 * So the writer copies three runs of bytes around the two values and hashes the result: it never builds
 * a record as a string nor encodes it. The thread that decides builds entries mostly from bytes it keeps
 * (a memoized input's part, a memoized result's part, the call's shared members), see `EntryLinesBuilder`.
 */
export interface EntryLines {
  /** The entries one after another, holes left out. */
  bytes: Uint8Array;
  /** Three offsets into `bytes` per entry: where `prev_hash`'s value goes, where `seq`'s does, its end. */
  marks: Uint32Array;
  count: number;
}

export const EMPTY_LINES: EntryLines = Object.freeze({
  bytes: new Uint8Array(0),
  marks: new Uint32Array(0),
  count: 0,
});

/**
 * Builds entries piece by piece: `text` and `bytes` append, `prevHash` and `seq` mark their holes, `end`
 * closes an entry. The caller puts the pieces in canonical order (see `EntryLines`).
 */
export class EntryLinesBuilder {
  private buf: Buffer;
  private used = 0;
  private marks: Uint32Array;
  private filled = 0;
  private count = 0;

  constructor(expected: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(1024, expected * 1024));
    this.marks = new Uint32Array(Math.max(3, expected * 3));
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.used + bytes, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }

  /** Appends a piece of canonical JSON (or plain ASCII inside a JSON string). */
  text(s: string): this {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(s.length * 3);
    this.used += this.buf.write(s, this.used, 'utf8');
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.used);
    this.used += b.length;
    return this;
  }

  private mark(): void {
    if (this.filled === this.marks.length) {
      const bigger = new Uint32Array(this.marks.length * 2);
      bigger.set(this.marks);
      this.marks = bigger;
    }
    this.marks[this.filled++] = this.used;
  }

  /** Where `prev_hash`'s value goes (right after `"prev_hash":`). */
  prevHash(): this {
    this.mark();
    return this;
  }

  /** Where `seq`'s value goes (right after `"seq":`). */
  seq(): this {
    this.mark();
    return this;
  }

  /** Closes the entry. */
  end(): this {
    this.mark();
    this.count++;
    if (this.filled !== 3 * this.count)
      throw new Error('an audit entry needs its two holes marked, in order');
    return this;
  }

  /** The entries, in arrays of their own size (they are copied to the writer's thread whole). */
  build(): EntryLines {
    if (this.count === 0) return EMPTY_LINES;
    return {
      bytes: new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.used).slice(),
      marks: this.marks.slice(0, this.filled),
      count: this.count,
    };
  }
}

/** Entries given as objects (tests, tools, the bench): each member canonicalized here. */
export function entryLines(entries: readonly AuditEntry[]): EntryLines {
  const b = new EntryLinesBuilder(entries.length);
  for (const e of entries) {
    const input = canonicalize(e.input);
    b.text(`{"bundles":${canonicalize(e.bundles)},"decision_id":${str(e.decision_id)},"input":${input}`)
      .text(`,"input_hash":${str(e.input_hash === '' ? sha256(input) : e.input_hash)}`)
      .text(`,"path":${str(e.path)},"prev_hash":`)
      .prevHash()
      .text(`,"req_id":${str(e.req_id)},"requested_by":${str(e.requested_by)}`)
      .text(`,"result":${canonicalize(e.result)},"result_hash":${str(e.result_hash)},"seq":`)
      .seq()
      .text(`,"timestamp":${str(e.timestamp)},"type":"decision"}`)
      .end();
  }
  return b.build();
}

/** Several appends as one (group commit). */
export function joinLines(batches: readonly EntryLines[]): EntryLines {
  const some = batches.filter((b) => b.count > 0);
  if (some.length === 0) return EMPTY_LINES;
  if (some.length === 1) return some[0] as EntryLines;
  let size = 0;
  let count = 0;
  for (const b of some) {
    size += b.bytes.length;
    count += b.count;
  }
  const bytes = new Uint8Array(size);
  const marks = new Uint32Array(3 * count);
  let at = 0;
  let m = 0;
  for (const b of some) {
    bytes.set(b.bytes, at);
    for (let k = 0; k < b.marks.length; k++) marks[m++] = (b.marks[k] as number) + at;
    at += b.bytes.length;
  }
  return { bytes, marks, count };
}

const NEWLINE = 0x0a;

/**
 * Writes entry `i`'s record, its `prev_hash` and `seq` filled in, into `out` at `at` (room for it is the
 * caller's: `recordRoom`); returns where it ends. A raw newline (which canonical JSON never holds, and
 * which would split a block) is refused.
 */
export function writeRecord(
  lines: EntryLines,
  i: number,
  seq: number,
  prevHash: string,
  out: Buffer,
  at: number,
): number {
  const m = lines.marks;
  const start = i === 0 ? 0 : (m[3 * i - 1] as number);
  const hole1 = m[3 * i] as number;
  const hole2 = m[3 * i + 1] as number;
  const end = m[3 * i + 2] as number;
  const src = lines.bytes;
  let to = at;
  out.set(src.subarray(start, hole1), to);
  to += hole1 - start;
  to += out.write(str(prevHash), to, 'utf8');
  out.set(src.subarray(hole1, hole2), to);
  to += hole2 - hole1;
  to += out.write(String(seq), to, 'latin1');
  out.set(src.subarray(hole2, end), to);
  to += end - hole2;
  if (out.subarray(at, to).includes(NEWLINE))
    throw new Error(`audit record ${seq} holds a raw newline; records must be canonical JSON`);
  return to;
}

/** The most bytes entry `i`'s record can take once `prevHash` and a seq are filled in. */
export function recordRoom(lines: EntryLines, i: number, prevHash: string): number {
  const m = lines.marks;
  const start = i === 0 ? 0 : (m[3 * i - 1] as number);
  // A JSON string escape takes at most 6 bytes per UTF-16 code unit; a seq at most 16 digits.
  return (m[3 * i + 2] as number) - start + prevHash.length * 6 + 2 + 16;
}

/** Entry `i`'s record as text (tests and tools; the writer uses `writeRecord`). */
export function recordText(lines: EntryLines, i: number, seq: number, prevHash: string): string {
  const out = Buffer.alloc(recordRoom(lines, i, prevHash));
  const end = writeRecord(lines, i, seq, prevHash, out, 0);
  return out.toString('utf8', 0, end);
}
