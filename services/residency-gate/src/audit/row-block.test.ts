import { describe, expect, it } from 'vitest';
import { sha256 } from './audit-record.ts';
import { blockRecords, RowBlockBuilder } from './row-block.ts';

describe('RowBlockBuilder', () => {
  it('hashes each record as SHA-256 of its UTF-8 text, non-ASCII and astral characters included', () => {
    const records = [
      '{"name":"plain"}',
      '{"name":"Zoë Müller – 東京"}',
      '{"name":"🦀 crab","escaped":"a\\nb \\u0000"}',
      '',
    ];
    const b = new RowBlockBuilder(41, records.length);
    const hashes = records.map((r) => b.add(r));
    expect(hashes).toEqual(records.map((r) => sha256(r)));
    const block = b.build();
    expect(block).toMatchObject({ first: 41, count: 4, lastHash: hashes[3] });
    expect(blockRecords(block)).toEqual(records);
    expect(block.hashes.split('\n')).toEqual(hashes);
  });

  it('grows past the size it expected, keeping what it holds', () => {
    const b = new RowBlockBuilder(1, 1);
    const big = Array.from({ length: 20 }, (_, i) => `{"i":${i},"pad":"${'é'.repeat(1000 + i)}"}`);
    const hashes = big.map((r) => b.add(r));
    expect(hashes).toEqual(big.map((r) => sha256(r)));
    expect(blockRecords(b.build())).toEqual(big);
  });

  it('refuses a raw newline, which would split a record in two', () => {
    const b = new RowBlockBuilder(7, 2);
    expect(() => b.add('{"a":"\n"}')).toThrow(/record 7 holds a raw newline/);
    expect(b.build()).toMatchObject({ count: 0, lastHash: '' });
  });
});
