import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../schema-format.ts';
import { canonicalJson } from './canonical-json.ts';
import { MAX_NESTING, parseJsonText } from './json-text.ts';

const canonical = (text: string, normalize = false) => canonicalJson(parseJsonText(text), normalize);

describe('canonical text', () => {
  it('drops insignificant whitespace and keeps key order (Confluent canonicalString)', () => {
    expect(canonical('{ "type" : "object",\n  "properties": { "b": {"type":"string"}, "a": {} } }')).toBe(
      '{"type":"object","properties":{"b":{"type":"string"},"a":{}}}',
    );
  });

  it('makes schemas that differ only in whitespace identical', () => {
    expect(canonical('{"a":[1, 2]}')).toBe(canonical('{\n\t"a" : [ 1 ,2 ]\n}'));
  });

  it('keeps number lexemes, since Confluent reads exact BigDecimals', () => {
    expect(canonical('{"maximum": 1.0, "minimum": 10000000000000000000001}')).toBe(
      '{"maximum":1.0,"minimum":10000000000000000000001}',
    );
    expect(canonical('{"maximum": 1.0}')).not.toBe(canonical('{"maximum": 1}'));
  });

  it('re-escapes strings as Jackson writes them', () => {
    expect(canonical('{"pattern": "a\\/b\\u0041", "title": "é"}')).toBe('{"pattern":"a/bA","title":"é"}');
  });

  it('with normalize sorts keys at every level and keeps array order (Confluent normalize: TreeMap nodes)', () => {
    expect(
      canonical(
        '{"type":"object","properties":{"b":{"type":"string","enum":["z","a"]},"a":{}},"$id":"x"}',
        true,
      ),
    ).toBe('{"$id":"x","properties":{"a":{},"b":{"enum":["z","a"],"type":"string"}},"type":"object"}');
  });

  it('sorts by UTF-16 code units, as Java String.compareTo does', () => {
    expect(canonical('{"b":1,"B":2,"é":3,"a":4}', true)).toBe('{"B":2,"a":4,"b":1,"é":3}');
  });

  it('keeps the last of repeated keys in the first position, as Jackson does', () => {
    expect(canonical('{"a":1,"b":2,"a":3}')).toBe('{"a":3,"b":2}');
  });
});

describe('JSON text errors', () => {
  it.each([
    ['{"type": "string",}', 'expected a property name at line 1 column 19'],
    ['{"type" "string"}', `expected ':' after "type" at line 1 column 9`],
    ['{"a": [1 2]}', "expected ',' or ']' at line 1 column 10"],
    ['{"a": tru}', "unexpected character 't' at line 1 column 7"],
    ['{"a": 1} x', 'unexpected text after the schema at line 1 column 10'],
    ['', 'unexpected end of text at line 1 column 1'],
    ['{"a": "\u0001"}', 'malformed string at line 1 column 7'],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseJsonText(text)).toThrow(message);
  });

  it('gives the pointer of the problem', () => {
    const err = catchError(() => parseJsonText('{"properties": {"a": {"type": }}}'));
    expect(err.path).toBe('#/properties/a/type');
  });

  it(`refuses nesting deeper than ${MAX_NESTING} without recursing further`, () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    const err = catchError(() => parseJsonText(text));
    expect(err.message).toBe(`the schema nests deeper than ${MAX_NESTING} levels`);
  });
});

function catchError(fn: () => unknown): InvalidSchemaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidSchemaError) return err;
    throw err;
  }
  throw new Error('expected an InvalidSchemaError');
}
