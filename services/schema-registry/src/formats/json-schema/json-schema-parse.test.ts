import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../schema-format.ts';
import { jsonSchemaFormat } from './index.ts';

const parse = (schema: unknown, normalize = false) =>
  jsonSchemaFormat.parse(typeof schema === 'string' ? schema : JSON.stringify(schema), [], { normalize });

function refusal(schema: unknown): InvalidSchemaError {
  try {
    parse(schema);
  } catch (err) {
    if (err instanceof InvalidSchemaError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(schema)}`);
}

const D4 = 'http://json-schema.org/draft-04/schema#';
const D6 = 'http://json-schema.org/draft-06/schema#';
const D7 = 'http://json-schema.org/draft-07/schema#';
const D2019 = 'https://json-schema.org/draft/2019-09/schema';
const D2020 = 'https://json-schema.org/draft/2020-12/schema';

describe('parse', () => {
  it('returns the text as given, the type and the canonical form', () => {
    const text = '{ "type": "object", "properties": { "id": { "type": "string" } } }';
    const parsed = parse(text);
    expect(parsed.type).toBe('JSON');
    expect(parsed.raw).toBe(text);
    expect(parsed.canonical).toBe('{"type":"object","properties":{"id":{"type":"string"}}}');
    expect(parse(text, true).canonical).toBe('{"properties":{"id":{"type":"string"}},"type":"object"}');
  });

  it.each([true, false])('accepts the boolean schema %s, as Confluent does', (schema) => {
    expect(parse(schema).canonical).toBe(String(schema));
  });

  it.each([
    ['a string', '"object"'],
    ['an array', '[{"type": "string"}]'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses %s as a schema', (_what, text) => {
    expect(refusal(text).message).toMatch(/must be (a JSON object or a boolean|object,boolean)/);
  });

  it('refuses text that is not JSON, with line and column', () => {
    expect(refusal('{"type": "object"').message).toBe(
      "invalid JSON: expected ',' or '}' at line 1 column 18",
    );
  });

  describe('refuses what the dialect does not allow, with the pointer of the first problem', () => {
    it.each([
      [{ type: 'strin' }, '#/type', /'type' must be equal to one of the allowed values/],
      [{ properties: { a: { minLength: -1 } } }, '#/properties/a/minLength', /must be >= 0/],
      [{ properties: { a: { type: 'string' } }, required: 'a' }, '#/required', /must be array/],
      [{ properties: { a: { maxLength: 'ten' } } }, '#/properties/a/maxLength', /must be integer/],
      [{ items: [{ type: 'string' }, 3] }, '#/items', /must be/],
      [{ $schema: D7, exclusiveMinimum: true }, '#/exclusiveMinimum', /must be number/],
      [{ $schema: D2020, prefixItems: { type: 'string' } }, '#/prefixItems', /must be array/],
      [{ $schema: D2019, $defs: { a: { type: 7 } } }, '#/$defs/a/type', /must be/],
      [{ $schema: D6, title: 5 }, '#/title', /must be string/],
      [{ properties: { a: { multipleOf: 0 } } }, '#/properties/a/multipleOf', /must be > 0/],
      [{ oneOf: [] }, '#/oneOf', /must NOT have fewer than 1 items/],
    ])('%j at %s', (schema, path, message) => {
      const err = refusal(schema);
      expect(err.path).toBe(path);
      expect(err.message).toMatch(message);
    });
  });

  describe('draft-04, which Ajv has no meta-schema for, is checked keyword by keyword while loading', () => {
    it('accepts its boolean exclusiveMinimum and its "id"', () => {
      expect(() =>
        parse({
          $schema: D4,
          id: 'http://example.com/a',
          type: 'number',
          minimum: 0,
          exclusiveMinimum: true,
        }),
      ).not.toThrow();
    });

    it.each([
      [{ $schema: D4, type: 'strin' }, '#/type', "'type' names an unknown type 'strin'"],
      [
        { $schema: D4, properties: { a: { minLength: -1 } } },
        '#/properties/a/minLength',
        "'minLength' must be a non-negative integer",
      ],
      [{ $schema: D4, required: 'a' }, '#/required', "'required' must be an array of strings"],
      [
        { $schema: D4, properties: { a: 'string' } },
        '#/properties/a',
        'a schema must be a JSON object or a boolean',
      ],
      [
        { $schema: D4, exclusiveMaximum: 3 },
        '#/exclusiveMaximum',
        "'exclusiveMaximum' must be true or false",
      ],
      [{ $schema: D4, multipleOf: 0 }, '#/multipleOf', "'multipleOf' must be greater than 0"],
      [
        { $schema: D4, dependencies: { a: 5 } },
        '#/dependencies/a',
        "'dependencies/a' must be an array of property names or a schema",
      ],
      [{ $schema: D4, allOf: [] }, '#/allOf', "'allOf' must not be empty"],
    ])('%j', (schema, path, message) => {
      const err = refusal(schema);
      expect(err.path).toBe(path);
      expect(err.message).toBe(message);
    });
  });

  it('reads $schema with or without the trailing # and over http or https', () => {
    for (const url of [
      'http://json-schema.org/draft-07/schema',
      D7,
      'https://json-schema.org/draft-07/schema#',
    ]) {
      expect(() => parse({ $schema: url, exclusiveMinimum: true })).toThrow(/must be number/);
    }
    expect(() =>
      parse({ $schema: 'http://json-schema.org/draft-04/schema', exclusiveMinimum: true }),
    ).not.toThrow();
  });

  it('treats an unknown $schema as draft-07, as Confluent does', () => {
    expect(() =>
      parse({ $schema: 'https://example.com/my-dialect', type: 'string', const: 'a' }),
    ).not.toThrow();
    expect(() => parse({ $schema: 'https://example.com/my-dialect', exclusiveMinimum: true })).toThrow(
      /must be number/,
    );
  });

  it('does not judge formats or unknown keywords', () => {
    expect(() =>
      parse({ type: 'string', format: 'no-such-format', 'x-anything': { deep: [1] } }),
    ).not.toThrow();
  });

  it('accepts modern keywords in 2019-09 and 2020-12', () => {
    expect(() =>
      parse({
        $schema: D2020,
        $defs: { id: { type: 'string', $anchor: 'id' } },
        type: 'object',
        properties: {
          id: { $ref: '#id' },
          tags: { type: 'array', prefixItems: [{ type: 'string' }], items: false },
        },
        dependentRequired: { id: ['tags'] },
        unevaluatedProperties: false,
      }),
    ).not.toThrow();
    expect(() =>
      parse({ $schema: D2019, $ref: '#/$defs/a', $defs: { a: { type: 'string' } }, minLength: 1 }),
    ).not.toThrow();
  });

  it('keeps its model opaque but usable by checkCompatibility', () => {
    const a = parse({ type: 'string' });
    expect(jsonSchemaFormat.checkCompatibility(a, parse({ type: 'string' }))).toEqual([]);
  });
});
