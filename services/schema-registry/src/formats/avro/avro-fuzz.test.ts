import { describe, expect, it } from 'vitest';
import type { ParsedSchema, ResolvedReference } from '../schema-format.ts';
import { InvalidSchemaError } from '../schema-format.ts';
import { avroFormat } from './index.ts';
import { AVRO_COMPATIBILITY_CASES } from './fixtures/avro-compatibility-cases.ts';
import { CONFLUENT_SCHEMAS } from './fixtures/confluent-compatibility-cases.ts';
import { PARSING_CANONICAL_FORM_CASES } from './fixtures/parsing-canonical-form-cases.ts';
import { seededRandom as random } from '../../testing/seeded-random.ts';

const CORPUS: string[] = [
  ...AVRO_COMPATIBILITY_CASES.flatMap((c) => [c.reader, c.writer]).map((s) => JSON.stringify(s)),
  ...Object.values(CONFLUENT_SCHEMAS),
  ...PARSING_CANONICAL_FORM_CASES.map((c) => c.input),
];
const PIECES = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ':',
  ',',
  '\\',
  '\\u',
  '\\ud800',
  '\ud800',
  '\u0000',
  '\uffff',
  'é',
  '0',
  '-1',
  '1e999',
  '2147483648',
  '9223372036854775808',
  '1.5',
  'null',
  'true',
  '"type"',
  '"record"',
  '"enum"',
  '"fixed"',
  '"array"',
  '"map"',
  '"name"',
  '"fields"',
  '"items"',
  '"values"',
  '"symbols"',
  '"size"',
  '"default"',
  '"aliases"',
  '"namespace"',
  '"logicalType"',
  '"decimal"',
  '"precision"',
  '"scale"',
  '"order"',
  '"int"',
  '"long"',
  '"R"',
  '"a.b.R"',
  '/*',
  '*/',
  '//',
  ' ',
  '\n',
];
const KEYS = [
  'type',
  'name',
  'namespace',
  'fields',
  'items',
  'values',
  'symbols',
  'size',
  'default',
  'aliases',
  'doc',
  'order',
  'logicalType',
  'precision',
  'scale',
  'confluent:tags',
];
const TYPES = [
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
  'record',
  'enum',
  'fixed',
  'array',
  'map',
  'error',
  'R',
  'E',
  'F',
  'ns.R',
  'decimal',
];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function mutate(rnd: () => number, text: string): string {
  let s = text;
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const len = Math.floor(rnd() * 8);
    switch (Math.floor(rnd() * 5)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 1:
        s = s.slice(0, at) + pick(rnd, PIECES) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at, at + len * 4) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at);
        break;
      default:
        s = s.replace(/"[A-Za-z_]+"/, pick(rnd, PIECES));
    }
  }
  return s;
}

/** Random Avro-shaped JSON: objects with Avro's keys, type names, nested down to a random depth. */
function generate(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth <= 0 || r < 0.25) return pick(rnd, [...TYPES, 0, -1, 1.5, true, null, 'x-y', '']);
  if (r < 0.45) return Array.from({ length: Math.floor(rnd() * 4) }, () => generate(rnd, depth - 1));
  const o: Record<string, unknown> = {};
  const keys = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < keys; i++) {
    const key = pick(rnd, KEYS);
    o[key] =
      key === 'type'
        ? rnd() < 0.7
          ? pick(rnd, TYPES)
          : generate(rnd, depth - 1)
        : key === 'fields'
          ? Array.from({ length: Math.floor(rnd() * 4) }, () => ({
              name: pick(rnd, ['a', 'b', 'a']),
              type: generate(rnd, depth - 1),
              ...(rnd() < 0.3 ? { default: generate(rnd, 1) } : {}),
            }))
          : key === 'name'
            ? pick(rnd, ['R', 'E', 'F', 'ns.R', 'int', 'bad-name', ''])
            : key === 'symbols'
              ? pick(rnd, [['A', 'B'], ['A', 'A'], [1], 'A'])
              : generate(rnd, depth - 1);
  }
  return o;
}

/** Parses and, when that works, compares with the previous success: nothing may throw but InvalidSchemaError. */
function exercise(text: string, previous: ParsedSchema[], refs: ResolvedReference[] = []): 'ok' | 'refused' {
  let parsed: ParsedSchema;
  try {
    parsed = avroFormat.parse(text, refs, { normalize: text.length % 2 === 0 });
  } catch (err) {
    if (!(err instanceof InvalidSchemaError))
      throw new Error(`non-InvalidSchemaError for ${JSON.stringify(text.slice(0, 300))}`, { cause: err });
    expect(typeof err.message).toBe('string');
    expect(typeof err.path).toBe('string');
    return 'refused';
  }
  expect(typeof parsed.canonical).toBe('string');
  const other = previous.at(-1);
  if (other) {
    expect(Array.isArray(avroFormat.checkCompatibility(parsed, other))).toBe(true);
    expect(Array.isArray(avroFormat.checkCompatibility(other, parsed))).toBe(true);
  }
  expect(avroFormat.checkCompatibility(parsed, parsed)).toEqual([]);
  previous.push(parsed);
  if (previous.length > 20) previous.shift();
  return 'ok';
}

describe('parse never fails with anything but InvalidSchemaError', () => {
  it.each([1, 2, 3])('random mutations of the published schemas (seed %i)', (seed) => {
    const rnd = random(seed);
    const previous: ParsedSchema[] = [];
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < 1500; i++) outcomes[exercise(mutate(rnd, pick(rnd, CORPUS)), previous)]++;
    // Both outcomes occur: the mutations reach past the JSON reader into the Avro rules.
    expect(outcomes.ok).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(50);
  });

  it.each([11, 12, 13])('random Avro-shaped documents (seed %i)', (seed) => {
    const rnd = random(seed);
    const previous: ParsedSchema[] = [];
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < 1500; i++) outcomes[exercise(JSON.stringify(generate(rnd, 6)), previous)]++;
    expect(outcomes.ok).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(50);
  });

  it('deep nesting: JSON, arrays of arrays, unions of records, at and past the limit', () => {
    expect(exercise('['.repeat(300) + '"int"' + ']'.repeat(300), [])).toBe('refused');
    expect(exercise('{"type":"array","items":'.repeat(5000) + '"int"' + '}'.repeat(5000), [])).toBe(
      'refused',
    );
    let within: unknown = 'int';
    for (let i = 0; i < 60; i++)
      within = {
        type: 'record',
        name: `R${i}`,
        fields: [{ name: 'f', type: ['null', within], default: null }],
      };
    expect(exercise(JSON.stringify(within), [])).toBe('ok');
    expect(exercise('{"a":'.repeat(100_000), [])).toBe('refused');
  });

  it('huge inputs: 20,000 fields, a 5 MB doc, a union of 2,000 records, invalid UTF-16', () => {
    const fields = Array.from({ length: 20_000 }, (_, i) => ({ name: `f${i}`, type: 'string', default: '' }));
    expect(exercise(JSON.stringify({ type: 'record', name: 'Wide', fields }), [])).toBe('ok');
    expect(
      exercise(JSON.stringify({ type: 'record', name: 'Doc', doc: 'x'.repeat(5_000_000), fields: [] }), []),
    ).toBe('ok');
    const union = Array.from({ length: 2000 }, (_, i) => ({
      type: 'record',
      name: `U${i}`,
      fields: [{ name: 'a', type: 'int' }],
    }));
    const previous: ParsedSchema[] = [];
    expect(exercise(JSON.stringify(union), previous)).toBe('ok');
    expect(exercise(JSON.stringify(union.slice(1)), previous)).toBe('ok');
    expect(exercise('{"type":"record","name":"R\ud800","fields":[]}', [])).toBe('refused');
    expect(exercise('{"type":"record","name":"R","doc":"\udc00\ud800","fields":[]}', [])).toBe('ok');
    expect(exercise('\ufeff"int"', [])).toBe('refused');
  });

  it('a long chain of records through references is compared without overflowing the stack', () => {
    const refs: ResolvedReference[] = [];
    for (let i = 0; i < 1500; i++) {
      const type = i === 0 ? 'int' : `C${i - 1}`;
      refs.push({
        name: `C${i}`,
        subject: `c${i}`,
        version: 1,
        references: [],
        schema: JSON.stringify({ type: 'record', name: `C${i}`, fields: [{ name: 'next', type }] }),
      });
    }
    const text = JSON.stringify({ type: 'record', name: 'Top', fields: [{ name: 'c', type: 'C1499' }] });
    const a = avroFormat.parse(text, refs, { normalize: false });
    const b = avroFormat.parse(text, refs, { normalize: true });
    const issues = avroFormat.checkCompatibility(a, b);
    expect(issues.length === 0 || issues[0]?.rule === 'COMPARISON_TOO_DEEP').toBe(true);
  });
});
