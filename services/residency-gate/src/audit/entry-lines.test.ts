import { describe, expect, it } from 'vitest';
import { canonicalize } from '../jcs/canonical-json.ts';
import type { AuditEntry } from './audit-record.ts';
import { sha256 } from './audit-record.ts';
import { EntryLinesBuilder, entryLines, joinLines, recordText } from './entry-lines.ts';
import type { EntryLines } from './entry-lines.ts';

let seed = 11;
const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
// Tabs and newlines included: inside canonical JSON they are escaped, so they never split a line.
const ALPHABET = ['a', 'Z', '0', '"', '\\', '\n', '\t', '\u00e9', '\ud83d\ude00', ' ', '\u0001'];
const text = () =>
  Array.from({ length: Math.floor(next() * 10) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(
    '',
  );
const plain = () => `id-${Math.floor(next() * 1e9)}`;

function randomEntry(): AuditEntry {
  return {
    type: 'decision',
    decision_id: plain(),
    timestamp: new Date(Math.floor(next() * 2e12)).toISOString(),
    path: text(),
    input: { route: { sink: { id: text() } }, fields: [{ name: text(), tags: [text()] }] },
    input_hash: next() < 0.5 ? '' : `sha256:${plain()}`,
    result: {
      decision: text(),
      enforced: next() < 0.5,
      fields: [{ name: text(), verdict: text(), rule: next() < 0.5 ? null : text() }],
      reason_codes: [text()],
      shadow_decision: null,
    },
    result_hash: `sha256:${plain()}`,
    bundles: { residency: { revision: text(), digest: text() } },
    requested_by: text(),
    req_id: text(),
  };
}

/** Every entry's record, filled in with seq `first + i` and prev_hash `p<i>`. */
const records = (lines: EntryLines, first = 1) =>
  Array.from({ length: lines.count }, (_, i) => recordText(lines, i, first + i, `p${i}`));

describe('audit entry lines (what crosses to the writer thread)', () => {
  it('give each entry the record the generic RFC 8785 form gives it, seq and prev_hash added', () => {
    const entries = Array.from({ length: 300 }, randomEntry);
    const lines = entryLines(entries);
    expect(lines.count).toBe(300);
    expect(lines.marks).toHaveLength(900);
    entries.forEach((e, i) => {
      const inputHash = e.input_hash === '' ? sha256(canonicalize(e.input)) : e.input_hash;
      const expected = canonicalize({
        ...structuredClone(e),
        input_hash: inputHash,
        seq: i + 7,
        prev_hash: `p${i}`,
      });
      expect(recordText(lines, i, i + 7, `p${i}`)).toBe(expected);
    });
  });

  it('join the appends of a group commit, skipping empty ones', () => {
    const a = entryLines([randomEntry(), randomEntry()]);
    const b = entryLines([]);
    const c = entryLines([randomEntry()]);
    const joined = joinLines([a, b, c]);
    expect(joined.count).toBe(3);
    expect(records(joined)).toEqual([
      recordText(a, 0, 1, 'p0'),
      recordText(a, 1, 2, 'p1'),
      recordText(c, 0, 3, 'p2'),
    ]);
    expect(joinLines([b]).count).toBe(0);
    expect(joinLines([c])).toBe(c);
  });

  it('survive the copy to another thread', () => {
    const lines = entryLines([randomEntry(), randomEntry(), randomEntry()]);
    expect(records(structuredClone(lines))).toEqual(records(lines));
  });

  it('refuse an entry closed without its two holes marked', () => {
    expect(() => new EntryLinesBuilder(1).text('{}').end()).toThrow(/two holes/);
    expect(() => new EntryLinesBuilder(1).text('{"a":').prevHash().text('}').end()).toThrow(/two holes/);
  });
});
