import { describe, expect, it } from 'vitest';
import { sha256 } from './audit-record.ts';
import { EntryLinesBuilder } from './entry-lines.ts';
import type { EntryLines } from './entry-lines.ts';
import { blockRecords, RowBlockBuilder } from './row-block.ts';

/** Entries `{"name":<name>,"prev_hash":▢,"seq":▢}`, one per name. */
function entries(names: readonly string[]): EntryLines {
  const b = new EntryLinesBuilder(names.length);
  for (const n of names)
    b.text(`{"name":${JSON.stringify(n)},"prev_hash":`)
      .prevHash()
      .text(',"seq":')
      .seq()
      .text('}')
      .end();
  return b.build();
}

/** What entry `name` becomes at `seq` after `prev`. */
const record = (name: string, seq: number, prev: string) =>
  `{"name":${JSON.stringify(name)},"prev_hash":${JSON.stringify(prev)},"seq":${seq}}`;

describe('RowBlockBuilder', () => {
  it('fills in prev_hash and seq, and hashes each record as SHA-256 of its UTF-8 text, non-ASCII included', () => {
    const names = ['plain', 'Zoë Müller – 東京', '🦀 crab\nwith "escapes" \u0000', ''];
    const lines = entries(names);
    const b = new RowBlockBuilder(41, lines);
    const expected: string[] = [];
    let prev = 'sha256:genesis';
    const hashes = names.map((n, i) => {
      expected.push(record(n, 41 + i, prev));
      prev = b.add(lines, i, prev);
      return prev;
    });
    expect(hashes).toEqual(expected.map((r) => sha256(r)));
    const block = b.build();
    expect(block).toMatchObject({ first: 41, count: 4, lastHash: hashes[3] });
    expect(blockRecords(block)).toEqual(expected);
    expect(block.hashes.split('\n')).toEqual(hashes);
  });

  it('grows past the size it expected, keeping what it holds', () => {
    const names = Array.from({ length: 20 }, (_, i) => 'é'.repeat(1000 + i));
    const lines = entries(names);
    const b = new RowBlockBuilder(1, lines);
    // A long previous hash takes more room than the builder set aside.
    const long = 'p'.repeat(20_000);
    const got = names.map((_, i) => b.add(lines, i, long));
    const expected = names.map((n, i) => record(n, 1 + i, long));
    expect(got).toEqual(expected.map((r) => sha256(r)));
    expect(blockRecords(b.build())).toEqual(expected);
  });

  it('refuses a raw newline, which would split a record in two, and stays as it was', () => {
    const b = new EntryLinesBuilder(3);
    for (const name of ['"a"', '"\n"', '"c"'])
      b.text(`{"name":${name},"prev_hash":`).prevHash().text(',"seq":').seq().text('}').end();
    const lines = b.build();
    const block = new RowBlockBuilder(7, lines);
    const first = block.add(lines, 0, 'h');
    expect(() => block.add(lines, 1, first)).toThrow(/record 8 holds a raw newline/);
    block.add(lines, 2, first);
    expect(blockRecords(block.build())).toEqual([record('a', 7, 'h'), record('c', 8, first)]);
  });
});
