import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../schema-format.ts';
import { readJson } from './json-reader.ts';
import { seededRandom as random } from '../../testing/seeded-random.ts';

// Plain characters, the ones JSON must escape, and UTF-16 oddities (a lone surrogate, a pair, U+FFFF).
const UNITS = [
  'a',
  'Z',
  '_',
  ' ',
  'é',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\ud800',
  '😀',
  '\uffff',
];

describe('readJson strings', () => {
  it('reads every string as JSON.parse does, escaped or not', () => {
    const seed = Number(process.env.FUZZ_SEED ?? 7);
    const next = random(seed);
    for (let n = 0; n < 2_000; n++) {
      const value = Array.from(
        { length: Math.floor(next() * 12) },
        () => UNITS[Math.floor(next() * UNITS.length)],
      ).join('');
      const text = JSON.stringify({ [value]: [value, { doc: value }] });
      const node = readJson(text);
      expect(node.kind, `seed ${seed}, case ${n}`).toBe('object');
      if (node.kind !== 'object') continue;
      expect([...node.entries.keys()], `seed ${seed}, case ${n}`).toEqual([value]);
      const array = node.entries.get(value);
      expect(array?.kind === 'array' && array.items[0], `seed ${seed}, case ${n}`).toEqual({
        kind: 'string',
        value,
      });
    }
  });

  it('refuses raw control characters, bad escapes and unterminated strings', () => {
    for (const text of ['"a\u0001b"', '"a\nb"', '"\\x"', '"\\u12"', '"abc', '"abc\\"', '{"a":"b}'])
      expect(() => readJson(text), JSON.stringify(text)).toThrow(InvalidSchemaError);
  });
});
