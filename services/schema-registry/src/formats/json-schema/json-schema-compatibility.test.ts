import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../schema-format.ts';
import { jsonSchemaFormat } from './index.ts';
import { MAX_NESTING } from './json-text.ts';

const parse = (schema: unknown) =>
  jsonSchemaFormat.parse(typeof schema === 'string' ? schema : JSON.stringify(schema), [], {
    normalize: false,
  });
/** BACKWARD: the new schema reads what the old one wrote. */
const backward = (next: unknown, previous: unknown) =>
  jsonSchemaFormat.checkCompatibility(parse(next), parse(previous));

const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  additionalProperties: false,
  ...extra,
});

describe('BACKWARD checks (reader = new schema, writer = old)', () => {
  it('accepts an optional property added to a closed schema', () => {
    expect(
      backward(
        closed({ id: { type: 'string' }, note: { type: 'string' } }),
        closed({ id: { type: 'string' } }),
      ),
    ).toEqual([]);
  });

  it('refuses an optional property added to an open schema, with the rule, the path and what to do', () => {
    const issues = backward(
      { type: 'object', properties: { id: { type: 'string' }, note: { type: 'string' } } },
      { type: 'object', properties: { id: { type: 'string' } } },
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      rule: 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
      path: '#/properties/note',
    });
    expect(issues[0]!.message).toContain('"additionalProperties": false');
  });

  it('tells required from optional when a property is added to an open schema (Confluent 8.x)', () => {
    const v1 = { type: 'object', properties: { id: { type: 'string' } } };
    const required = {
      type: 'object',
      properties: { id: { type: 'string' }, n: { type: 'string' } },
      required: ['n'],
    };
    const withDefault = {
      ...required,
      properties: { ...required.properties, n: { type: 'string', default: 'x' } },
    };
    expect(backward(required, v1).map((i) => i.rule)).toEqual([
      'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
    ]);
    expect(backward(withDefault, v1).map((i) => i.rule)).toEqual([
      'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
    ]);
  });

  it('accepts a property added with an empty schema to an open schema', () => {
    expect(backward({ properties: { id: {}, note: {} } }, { properties: { id: {} } })).toEqual([]);
  });

  it('refuses a required property added to a closed schema unless it has a default', () => {
    const v1 = closed({ id: { type: 'string' } });
    expect(
      backward(closed({ id: { type: 'string' }, n: { type: 'integer' } }, { required: ['n'] }), v1),
    ).toMatchObject([{ rule: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', path: '#/properties/n' }]);
    expect(
      backward(
        closed({ id: { type: 'string' }, n: { type: 'integer', default: 0 } }, { required: ['n'] }),
        v1,
      ),
    ).toEqual([]);
  });

  it('refuses removing a property from a closed schema, accepts it from an open one', () => {
    expect(
      backward(
        closed({ id: { type: 'string' } }),
        closed({ id: { type: 'string' }, gone: { type: 'string' } }),
      ),
    ).toMatchObject([{ rule: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', path: '#/properties/gone' }]);
    expect(
      backward(
        { properties: { id: { type: 'string' } } },
        { properties: { id: { type: 'string' }, gone: { type: 'string' } } },
      ),
    ).toEqual([]);
  });

  it('refuses making an existing property required, accepts it with a default', () => {
    const v1 = closed({ id: { type: 'string' } });
    expect(backward(closed({ id: { type: 'string' } }, { required: ['id'] }), v1)).toMatchObject([
      { rule: 'REQUIRED_ATTRIBUTE_ADDED', path: '#/required/id' },
    ]);
    expect(
      backward(closed({ id: { type: 'string', default: '' } }, { required: ['id'] }), v1).map((i) => i.rule),
    ).toEqual([]);
  });

  it.each([
    ['a type change', { type: 'string' }, { type: 'integer' }, 'TYPE_CHANGED', '#/properties/v'],
    [
      'number narrowed to integer',
      { type: 'number' },
      { type: 'integer' },
      'TYPE_NARROWED',
      '#/properties/v',
    ],
    [
      'a shorter maxLength',
      { type: 'string', maxLength: 10 },
      { type: 'string', maxLength: 5 },
      'MAX_LENGTH_DECREASED',
      '#/properties/v/maxLength',
    ],
    [
      'a pattern added',
      { type: 'string' },
      { type: 'string', pattern: '^a' },
      'PATTERN_ADDED',
      '#/properties/v/pattern',
    ],
    [
      'a higher minimum',
      { type: 'number', minimum: 0 },
      { type: 'number', minimum: 1 },
      'MINIMUM_INCREASED',
      '#/properties/v/minimum',
    ],
    [
      'an exclusive maximum added',
      { type: 'number' },
      { type: 'number', exclusiveMaximum: 9 },
      'EXCLUSIVE_MAXIMUM_ADDED',
      '#/properties/v/exclusiveMaximum',
    ],
    [
      'a lower exclusive maximum',
      { type: 'number', exclusiveMaximum: 9 },
      { type: 'number', exclusiveMaximum: 5 },
      'EXCLUSIVE_MAXIMUM_DECREASED',
      '#/properties/v/exclusiveMaximum',
    ],
    [
      'a coarser multipleOf',
      { type: 'number', multipleOf: 0.5 },
      { type: 'number', multipleOf: 1.5 },
      'MULTIPLE_OF_EXPANDED',
      '#/properties/v/multipleOf',
    ],
    [
      'an enum value removed',
      { enum: ['a', 'b'] },
      { enum: ['a'] },
      'ENUM_ARRAY_NARROWED',
      '#/properties/v/enum',
    ],
    [
      'array items changed',
      { type: 'array', items: { type: 'string' } },
      { type: 'array', items: { type: 'integer' } },
      'TYPE_CHANGED',
      '#/properties/v/items',
    ],
    [
      'a oneOf branch removed',
      { oneOf: [{ type: 'null' }, { type: 'string' }] },
      { oneOf: [{ type: 'string' }] },
      'SUM_TYPE_NARROWED',
      '#/properties/v',
    ],
    [
      'uniqueItems added',
      { type: 'array' },
      { type: 'array', uniqueItems: true },
      'UNIQUE_ITEMS_ADDED',
      '#/properties/v/uniqueItems',
    ],
  ])('refuses %s', (_what, before, after, rule, path) => {
    expect(backward(closed({ v: after }), closed({ v: before }))).toMatchObject([{ rule, path }]);
  });

  it.each([
    ['integer widened to number', { type: 'integer' }, { type: 'number' }],
    ['a longer maxLength', { type: 'string', maxLength: 5 }, { type: 'string', maxLength: 10 }],
    ['an enum value added', { enum: ['a'] }, { enum: ['a', 'b'] }],
    ['null added to a type', { type: 'string' }, { type: ['null', 'string'] }],
    ['a finer multipleOf', { type: 'number', multipleOf: 1.5 }, { type: 'number', multipleOf: 0.5 }],
    ['a description changed', { type: 'string', description: 'a' }, { type: 'string', description: 'b' }],
  ])('accepts %s', (_what, before, after) => {
    expect(backward(closed({ v: after }), closed({ v: before }))).toEqual([]);
  });

  it('is directional: FORWARD is the same check with the schemas swapped', () => {
    const v1 = closed({ v: { type: 'integer' } });
    const v2 = closed({ v: { type: 'number' } });
    expect(backward(v2, v1)).toEqual([]);
    expect(jsonSchemaFormat.checkCompatibility(parse(v1), parse(v2)).map((i) => i.rule)).toEqual([
      'TYPE_NARROWED',
    ]);
  });

  it('refuses the empty schema becoming an object schema (Confluent testSchemaAddsProperties)', () => {
    expect(backward({ properties: {} }, {}).map((i) => i.rule)).toEqual(['TYPE_CHANGED']);
  });

  it('names the rule for every incompatible change found, at its own path', () => {
    const issues = backward(
      closed({ a: { type: 'integer' }, b: { type: 'string', maxLength: 3 } }),
      closed({ a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } }),
    );
    expect(issues.map((i) => `${i.rule} ${i.path}`).sort()).toEqual([
      'MAX_LENGTH_ADDED #/properties/b/maxLength',
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/c',
      'TYPE_CHANGED #/properties/a',
    ]);
    for (const issue of issues) expect(issue.message).toContain(issue.path);
  });
});

describe('recursive and cyclic schemas', () => {
  it('compares Confluent recursive-schema.json with itself as compatible, without differences', () => {
    const recursive = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: {
        categories: {
          description: 'Test recursive schema.',
          type: 'array',
          items: { $ref: '#/definitions/Category' },
        },
      },
      required: ['categories'],
      definitions: {
        Category: {
          description: 'Test category',
          type: 'object',
          properties: {
            category_id: { description: 'Some description', type: 'integer' },
            categories: {
              description: 'All subcategories within this category.',
              type: 'array',
              items: { $ref: '#/definitions/Category' },
            },
          },
          required: ['category_id', 'categories'],
        },
      },
    };
    expect(backward(recursive, recursive)).toEqual([]);
    const changed = structuredClone(recursive);
    changed.definitions.Category.properties.category_id.type = 'string';
    expect(backward(changed, recursive)).toMatchObject([
      { rule: 'TYPE_CHANGED', path: '#/properties/categories/items/properties/category_id' },
    ]);
  });

  /** Confluent's CircularRefSchemaDiffTest: a recursive oneOf that made its checker hang for hours. */
  function circularSchema(branches: number, circularProps: number): unknown {
    const defs: Record<string, unknown> = {
      SimpleId: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      Base: { type: 'object', properties: { name: { type: 'string' } } },
      ProductOrId: { oneOf: [{ $ref: '#/$defs/SimpleId' }, { $ref: '#/$defs/Product' }] },
    };
    for (let i = 0; i < branches; i++) {
      const properties: Record<string, unknown> = {};
      for (let p = 0; p < circularProps; p++) properties[`ref${p}`] = { $ref: '#/$defs/ProductOrId' };
      properties.tag = { type: 'string', const: `type${i}` };
      defs[`Type${i}`] = { $ref: '#/$defs/Base', type: 'object', properties, required: ['ref0', 'tag'] };
    }
    defs.Product = { oneOf: Array.from({ length: branches }, (_, i) => ({ $ref: `#/$defs/Type${i}` })) };
    return { $schema: 'https://json-schema.org/draft/2020-12/schema', $defs: defs, $ref: '#/$defs/Product' };
  }

  it.each([
    [2, 1],
    [12, 5],
  ])('compares a circular oneOf schema (%i branches x %i circular properties) quickly', (branches, props) => {
    const schema = circularSchema(branches, props);
    const started = performance.now();
    expect(backward(schema, schema)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('compares nested unions of unions once per pair, not once per path', () => {
    const defs: Record<string, unknown> = { L0: { type: 'string' } };
    for (let level = 1; level <= 6; level++) {
      defs[`L${level}`] = {
        oneOf: Array.from({ length: 6 }, (_, i) =>
          closed({ [`p${i}`]: { $ref: `#/definitions/L${level - 1}` } }),
        ),
      };
    }
    const schema = { $ref: '#/definitions/L6', definitions: defs };
    const started = performance.now();
    expect(backward(schema, schema)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('huge and deeply nested schemas', () => {
  const nested = (levels: number, leaf: unknown) => {
    let schema: unknown = leaf;
    for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { a: schema } };
    return schema;
  };

  it('refuses a schema nested 2000 deep, without overflowing the stack', () => {
    let err: unknown;
    try {
      parse(nested(2000, { type: 'string' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidSchemaError);
    expect((err as InvalidSchemaError).message).toBe(`the schema nests deeper than ${MAX_NESTING} levels`);
  });

  it('handles the deepest schema it accepts: parse, fields, and a change at the bottom', () => {
    const levels = MAX_NESTING / 2 - 1;
    const before = parse(nested(levels, { type: 'string' }));
    const after = parse(nested(levels, { type: 'integer' }));
    expect(before.fields).toHaveLength(levels);
    const issues = jsonSchemaFormat.checkCompatibility(after, before);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.rule).toBe('TYPE_CHANGED');
    expect(issues[0]!.path).toBe(`#/${'properties/a/'.repeat(levels).slice(0, -1)}`);
  });

  it('reports a chain of 5000 $refs too deep to compare instead of overflowing the stack', () => {
    const chain = (leaf: string) => {
      const definitions: Record<string, unknown> = { [`d${5000}`]: { type: leaf } };
      for (let i = 0; i < 5000; i++) {
        definitions[`d${i}`] = { type: 'object', properties: { next: { $ref: `#/definitions/d${i + 1}` } } };
      }
      return { $ref: '#/definitions/d0', definitions };
    };
    const before = parse(chain('string'));
    expect(before.fields.length).toBeGreaterThan(0);
    expect(jsonSchemaFormat.checkCompatibility(parse(chain('integer')), before)).toMatchObject([
      { rule: 'COMPARISON_TOO_DEEP', path: '#/' },
    ]);
  });

  it('parses a wide schema (10,000 properties) and compares it', () => {
    const properties = Object.fromEntries(
      Array.from({ length: 10_000 }, (_, i) => [`p${i}`, { type: 'string' }]),
    );
    const wide = closed(properties);
    const parsed = parse(wide);
    expect(parsed.fields).toHaveLength(10_000);
    expect(
      jsonSchemaFormat.checkCompatibility(
        parse(closed({ ...properties, p9999: { type: 'integer' } })),
        parsed,
      ),
    ).toMatchObject([{ rule: 'TYPE_CHANGED', path: '#/properties/p9999' }]);
  });
});
