import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../schema-format.ts';
import type { AvroModel, RecordType, UnionType } from './avro-model.ts';
import { avroFormat } from './index.ts';
import { CONFLUENT_SCHEMAS } from './fixtures/confluent-compatibility-cases.ts';

const text = (schema: unknown) => (typeof schema === 'string' ? schema : JSON.stringify(schema));
const parse = (schema: unknown) => avroFormat.parse(text(schema), [], { normalize: false });
const root = (schema: unknown) => (parse(schema).model as AvroModel).root;

function refusal(schema: unknown): InvalidSchemaError {
  try {
    parse(schema);
  } catch (err) {
    if (err instanceof InvalidSchemaError) return err;
    throw err;
  }
  throw new Error(`accepted: ${text(schema)}`);
}

const rec = (fields: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name: 'R',
  fields,
  ...extra,
});

describe('parse: what Avro accepts', () => {
  it('returns the type, the text as given and the model', () => {
    const parsed = parse('"string"');
    expect(parsed.type).toBe('AVRO');
    expect(parsed.raw).toBe('"string"');
    expect(root('"string"')).toMatchObject({ type: 'string' });
  });

  it.each(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])(
    'the primitive %s, written either way',
    (p) => {
      expect(root(`"${p}"`)).toMatchObject({ type: p });
      expect(root({ type: p })).toMatchObject({ type: p });
    },
  );

  it('records (and errors), enums, fixed, arrays, maps and unions', () => {
    const r = root(
      rec([
        { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'], default: 'A' } },
        { name: 'f', type: { type: 'fixed', name: 'F', size: 16 } },
        { name: 'a', type: { type: 'array', items: 'E' } },
        { name: 'm', type: { type: 'map', values: 'F' } },
        {
          name: 'u',
          type: ['null', 'E', 'F', { type: 'array', items: 'int' }, { type: 'map', values: 'int' }],
          default: null,
        },
        { name: 'x', type: { type: 'error', name: 'Oops', fields: [] } },
      ]),
    ) as RecordType;
    expect(r.fields.map((f) => f.type.type)).toEqual(['enum', 'fixed', 'array', 'map', 'union', 'record']);
  });

  it('reads logical types Java knows and leaves invalid ones as plain attributes', () => {
    const lt = (schema: unknown) => (root(schema) as { logicalType?: { name: string } }).logicalType;
    expect(lt({ type: 'int', logicalType: 'date' })).toEqual({ name: 'date' });
    expect(lt({ type: 'long', logicalType: 'timestamp-micros' })).toEqual({ name: 'timestamp-micros' });
    expect(lt({ type: 'string', logicalType: 'uuid' })).toEqual({ name: 'uuid' });
    expect(lt({ type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 })).toEqual({
      name: 'decimal',
      precision: 10,
      scale: 2,
    });
    expect(lt({ type: 'fixed', name: 'D', size: 4, logicalType: 'decimal', precision: 9 })).toEqual({
      name: 'decimal',
      precision: 9,
      scale: 0,
    });
    expect(lt({ type: 'fixed', name: 'Dur', size: 12, logicalType: 'duration' })).toEqual({
      name: 'duration',
    });
    // invalid: wrong base type, missing or too large precision, scale above precision, unknown name
    expect(lt({ type: 'string', logicalType: 'date' })).toBeUndefined();
    expect(lt({ type: 'bytes', logicalType: 'decimal' })).toBeUndefined();
    expect(lt({ type: 'fixed', name: 'D', size: 4, logicalType: 'decimal', precision: 10 })).toBeUndefined();
    expect(lt({ type: 'bytes', logicalType: 'decimal', precision: 2, scale: 3 })).toBeUndefined();
    expect(lt({ type: 'long', logicalType: 'no-such-type' })).toBeUndefined();
  });

  it('resolves names: full names, unqualified names in the enclosing namespace, then the null namespace', () => {
    const r = root({
      type: 'record',
      name: 'Outer',
      namespace: 'a.b',
      fields: [
        { name: 'x', type: { type: 'enum', name: 'Local', symbols: ['A'] } },
        { name: 'y', type: 'Local' },
        { name: 'z', type: 'a.b.Local' },
        {
          name: 'in',
          type: {
            type: 'record',
            name: 'c.Inner',
            fields: [{ name: 'k', type: { type: 'fixed', name: 'K', size: 1 } }],
          },
        },
        { name: 'k', type: 'c.K' },
        { name: 'self', type: ['null', 'Outer'], default: null },
      ],
    }) as RecordType;
    expect(r.fullName).toBe('a.b.Outer');
    expect(r.fields[1]?.type).toBe(r.fields[0]?.type);
    expect(r.fields[2]?.type).toBe(r.fields[0]?.type);
    expect((r.fields[3]?.type as RecordType).fullName).toBe('c.Inner');
    expect(r.fields[4]?.type).toMatchObject({ fullName: 'c.K' });
    const nullNs = root(
      rec([
        { name: 'g', type: { type: 'enum', name: 'G', symbols: ['A'] } },
        {
          name: 'h',
          type: { type: 'record', name: 'H', namespace: 'q', fields: [{ name: 'g', type: 'G' }] },
        },
      ]),
    );
    expect(nullNs).toBeTruthy();
  });

  it('resolves aliases of named types against their namespace', () => {
    expect(
      root({ type: 'record', name: 'R', namespace: 'n', aliases: ['Old', 'x.Older'], fields: [] }),
    ).toMatchObject({ aliases: ['n.Old', 'x.Older'] });
  });

  it('accepts comments, as Avro’s JSON parser allows them', () => {
    expect(root('/* a */ {"type": "record", // the name\n "name": "R", "fields": []}')).toMatchObject({
      fullName: 'R',
    });
  });

  it('accepts valid defaults of every kind, and float defaults written as strings (Java parses them)', () => {
    expect(() =>
      parse(
        rec([
          { name: 'n', type: 'null', default: null },
          { name: 'b', type: 'boolean', default: false },
          { name: 'i', type: 'int', default: -2147483648 },
          { name: 'l', type: 'long', default: 9007199254740991 },
          { name: 'f', type: 'float', default: 1.5 },
          { name: 'd', type: 'double', default: 'Infinity' },
          { name: 'by', type: 'bytes', default: '\u00ff' },
          { name: 's', type: 'string', default: '' },
          { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] }, default: 'A' },
          { name: 'a', type: { type: 'array', items: 'int' }, default: [1, 2] },
          { name: 'm', type: { type: 'map', values: 'long' }, default: { k: 1 } },
          { name: 'u', type: ['string', 'null'], default: 'x' },
          {
            name: 'r',
            type: {
              type: 'record',
              name: 'P',
              fields: [
                { name: 'x', type: 'int' },
                { name: 'y', type: 'int', default: 0 },
              ],
            },
            default: { x: 1 },
          },
        ]),
      ),
    ).not.toThrow();
    expect(parse(CONFLUENT_SCHEMAS.schema2).raw).toBe(CONFLUENT_SCHEMAS.schema2);
  });

  it('resolves names defined later in the document, as Avro 1.12 does, to the same type', () => {
    const r = root(
      rec(
        [
          { name: 'a', type: 'Later' },
          { name: 'b', type: ['null', 'n.Deep'], default: null },
          { name: 'c', type: { type: 'enum', name: 'Later', symbols: ['A'] }, default: 'A' },
          {
            name: 'd',
            type: {
              type: 'record',
              name: 'Holder',
              fields: [{ name: 'x', type: { type: 'fixed', name: 'n.Deep', size: 1 } }],
            },
          },
        ],
        { namespace: 'm' },
      ),
    ) as RecordType;
    expect(r.fields[0]?.type).toBe(r.fields[2]?.type);
    expect(r.fields[0]?.type).toMatchObject({ fullName: 'm.Later' });
    const deep = (r.fields[3]?.type as RecordType).fields[0]?.type;
    expect((r.fields[1]?.type as UnionType).branches[1]).toBe(deep);
    expect(
      refusal(
        rec([
          { name: 'a', type: 'E' },
          { name: 'b', type: { type: 'enum', name: 'E', symbols: ['A'] } },
          { name: 'c', type: { type: 'enum', name: 'E', symbols: ['B'] } },
        ]),
      ).message,
    ).toMatch(/can't redefine 'E'/);
  });

  it('accepts a union default that fits a later branch, as Avro 1.12 does (Confluent: testBadDefaultNull)', () => {
    expect(() => parse(rec([{ name: 'a', type: ['string', 'null'], default: null }]))).not.toThrow();
    expect(() => parse(CONFLUENT_SCHEMAS.badDefaultNull)).not.toThrow();
  });
});

describe('parse: what Avro refuses, with the pointer of the first problem', () => {
  it.each([
    ['malformed JSON', '{"type": "record"', '/', /invalid JSON: expected ',' or '}'/],
    ['dangling content (Avro refuses it)', '"int" "long"', '/', /dangling content/],
    ['a number as a schema', '42', '/', /a schema must be a type name/],
    ['an unknown type name', '"int1"', '/', /undefined name: 'int1'/],
    ['an object without type', { name: 'x' }, '/type', /needs a 'type'/],
    [
      'an invalid record name (Confluent: badRecordName)',
      rec([], { name: 'bad-name' }),
      '/name',
      /invalid record name: illegal character in name 'bad-name'/,
    ],
    [
      'an invalid field name (Confluent: badFieldName)',
      rec([{ name: 'bad-field', type: 'string' }]),
      '/fields/0/name',
      /invalid field name/,
    ],
    [
      'an invalid enum symbol (Confluent: badEnumSymbol)',
      rec([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['OK', 'BAD-ONE'] } }]),
      '/fields/0/type/symbols/1',
      /invalid enum symbol/,
    ],
    [
      'an invalid nested record name',
      rec([{ name: 'inner', type: rec([], { name: 'bad-inner' }) }]),
      '/fields/0/type/name',
      /invalid record name/,
    ],
    [
      'an invalid fixed name',
      rec([{ name: 'f', type: { type: 'fixed', name: 'bad-fixed', size: 4 } }]),
      '/fields/0/type/name',
      /invalid fixed name/,
    ],
    [
      'a lax namespace (Confluent: laxNamespaceRejectedWhenNew)',
      rec([], { namespace: 'foo-bar.x' }),
      '/name',
      /namespace of record name/,
    ],
    ['a name starting with a digit', rec([], { name: '1R' }), '/name', /illegal initial character/],
    ['a primitive name for a type', rec([], { name: 'int' }), '/name', /'int' is a primitive type name/],
    ['a record without fields', { type: 'record', name: 'R' }, '/fields', /needs 'fields'/],
    ['a field without a type', rec([{ name: 'a' }]), '/fields/0', /field 'a' needs a 'type'/],
    ['a field that is not an object', rec(['a']), '/fields/0', /a field must be an object/],
    [
      'a duplicate field',
      rec([
        { name: 'a', type: 'int' },
        { name: 'a', type: 'long' },
      ]),
      '/fields/1/name',
      /duplicate field 'a' in record 'R'/,
    ],
    [
      'a duplicate enum symbol',
      { type: 'enum', name: 'E', symbols: ['A', 'A'] },
      '/symbols/1',
      /duplicate enum symbol 'A'/,
    ],
    ['an enum without symbols', { type: 'enum', name: 'E' }, '/symbols', /needs 'symbols'/],
    [
      'an enum default outside the symbols',
      { type: 'enum', name: 'E', symbols: ['A'], default: 'B' },
      '/default',
      /not one of the symbols/,
    ],
    ['a redefined name', rec([{ name: 'a', type: rec([]) }]), '/fields/0/type', /can't redefine 'R'/],
    ['a fixed without an int size', { type: 'fixed', name: 'F', size: '4' }, '/size', /needs a 'size'/],
    ['a negative fixed size', { type: 'fixed', name: 'F', size: -1 }, '/size', /non-negative/],
    ['an array without items', { type: 'array' }, '/', /needs 'items'/],
    ['a map without values', { type: 'map' }, '/', /needs 'values'/],
    ['a nested union', ['null', ['int']], '/1', /nested union/],
    ['a repeated primitive in a union', ['int', 'int'], '/1', /duplicate in union: 'int'/],
    [
      'two arrays in a union',
      [
        { type: 'array', items: 'int' },
        { type: 'array', items: 'long' },
      ],
      '/1',
      /duplicate in union: 'array'/,
    ],
    [
      'two maps in a union',
      [
        { type: 'map', values: 'int' },
        { type: 'map', values: 'long' },
      ],
      '/1',
      /duplicate in union: 'map'/,
    ],
    ['a repeated named type in a union', [rec([]), 'R'], '/1', /duplicate in union: 'R'/],
    ['a bad order', rec([{ name: 'a', type: 'int', order: 'up' }]), '/fields/0/order', /'order' must be/],
    ['aliases that are not an array', rec([], { aliases: 'Old' }), '/aliases', /'aliases' must be an array/],
    [
      'a string default for an int',
      rec([{ name: 'a', type: 'int', default: 'x' }]),
      '/fields/0/default',
      /invalid default for field 'a': "x" is not a valid int/,
    ],
    [
      'a fractional default for an int',
      rec([{ name: 'a', type: 'int', default: 1.5 }]),
      '/fields/0/default',
      /1.5 is not a valid int/,
    ],
    [
      'an int default out of range',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":2147483648}]}',
      '/fields/0/default',
      /2147483648 is not a valid int/,
    ],
    [
      'a long default at the edge of range is fine, one past it is not',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"long","default":9223372036854775808}]}',
      '/fields/0/default',
      /is not a valid long/,
    ],
    [
      'a string default for a boolean',
      rec([{ name: 'a', type: 'boolean', default: 'true' }]),
      '/fields/0/default',
      /is not a valid boolean/,
    ],
    [
      'a union default that fits no branch',
      rec([{ name: 'a', type: ['null', 'int'], default: 'x' }]),
      '/fields/0/default',
      /"x" is not a valid value for any branch of the union \[null, int\]/,
    ],
    [
      'an unparseable float string',
      rec([{ name: 'a', type: 'float', default: 'abc' }]),
      '/fields/0/default',
      /can't parse number 'abc'/,
    ],
    [
      'a record default missing a field without default',
      rec([
        { name: 'p', type: { type: 'record', name: 'P', fields: [{ name: 'x', type: 'int' }] }, default: {} },
      ]),
      '/fields/0/default',
      /invalid default/,
    ],
    [
      'an array default with a bad item',
      rec([{ name: 'a', type: { type: 'array', items: 'int' }, default: [1, 'x'] }]),
      '/fields/0/default',
      /invalid default/,
    ],
    [
      'a default for a record still being defined',
      rec([{ name: 'self', type: 'R', default: {} }]),
      '/fields/0/default',
      /still being defined/,
    ],
    [
      'a default for an empty union',
      rec([{ name: 'u', type: [], default: null }]),
      '/fields/0/default',
      /any branch of the union \[\]/,
    ],
    [
      'a name that is never defined, in a nested namespace',
      rec([{ name: 'a', type: { type: 'record', name: 'x.In', fields: [{ name: 'b', type: 'Nowhere' }] } }]),
      '/fields/0/type/fields/0/type',
      /undefined name: 'Nowhere'/,
    ],
  ])('%s', (_what, schema, path, message) => {
    const err = refusal(schema);
    expect(err.message).toMatch(message);
    expect(err.path).toBe(path);
  });

  it('refuses nesting deeper than 256 levels with an InvalidSchemaError, not a stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(refusal(deep).message).toMatch(/nests deeper than 256/);
    let nested: unknown = 'int';
    for (let i = 0; i < 200; i++) nested = { type: 'array', items: nested };
    expect(() => parse(nested)).not.toThrow();
  });
});

describe('parse: long defaults are checked on the number as written, not as a double', () => {
  it('accepts the largest long and refuses the next integer', () => {
    expect(() =>
      parse(
        '{"type":"record","name":"R","fields":[{"name":"a","type":"long","default":9223372036854775807}]}',
      ),
    ).not.toThrow();
    expect(
      refusal(
        '{"type":"record","name":"R","fields":[{"name":"a","type":"long","default":9223372036854775808}]}',
      ).path,
    ).toBe('/fields/0/default');
  });
});
