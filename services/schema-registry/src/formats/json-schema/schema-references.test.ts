import { describe, expect, it } from 'vitest';
import type { ResolvedReference } from '../schema-format.ts';
import { InvalidSchemaError } from '../schema-format.ts';
import { jsonSchemaFormat } from './index.ts';

const parse = (schema: unknown, references: ResolvedReference[] = []) =>
  jsonSchemaFormat.parse(JSON.stringify(schema), references, { normalize: false });

const ref = (
  name: string,
  schema: unknown,
  references: ResolvedReference[] = [],
  subject = name,
): ResolvedReference => ({
  name,
  subject,
  version: 1,
  schema: JSON.stringify(schema),
  references,
});

function refusal(fn: () => unknown): InvalidSchemaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidSchemaError) return err;
    throw err;
  }
  throw new Error('accepted');
}

const customer = {
  type: 'object',
  properties: { name: { type: 'string' } },
  definitions: { Id: { type: 'string', maxLength: 10 } },
};

describe('$ref to registered references', () => {
  it('resolves a name as written, and names it in referencedNames', () => {
    const parsed = parse({ properties: { customer: { $ref: 'customer.json' } } }, [
      ref('customer.json', customer),
    ]);
    expect(parsed.referencedNames).toEqual(['customer.json']);
  });

  it('resolves a fragment inside the referenced schema', () => {
    const parsed = parse({ properties: { id: { $ref: 'customer.json#/definitions/Id' } } }, [
      ref('customer.json', customer),
    ]);
    expect(parsed.referencedNames).toEqual(['customer.json']);
  });

  it('resolves relative to the root $id, as Confluent registers references under it', () => {
    const schema = {
      $id: 'https://example.com/schemas/order.json',
      properties: { c: { $ref: 'customer.json' } },
    };
    expect(() => parse(schema, [ref('customer.json', customer)])).not.toThrow();
    expect(() => parse(schema, [ref('https://example.com/schemas/customer.json', customer)])).not.toThrow();
    expect(() =>
      parse({ properties: { c: { $ref: 'customer.json' } } }, [ref('./customer.json', customer)]),
    ).not.toThrow();
  });

  it('resolves references of references (transitively), relative to the referencing schema', () => {
    const address = { type: 'object', properties: { street: { type: 'string' } } };
    const withAddress = {
      $id: 'https://example.com/customer.json',
      properties: { address: { $ref: 'address.json' } },
    };
    const parsed = parse(
      { $id: 'https://example.com/order.json', properties: { c: { $ref: 'customer.json' } } },
      [ref('customer.json', withAddress, [ref('address.json', address)])],
    );
    expect(parsed.referencedNames).toEqual(['customer.json']);
  });

  it('refuses a $ref to a schema that was not given, naming it and pointing at the $ref', () => {
    const err = refusal(() => parse({ properties: { customer: { $ref: 'customer.json' } } }));
    expect(err.path).toBe('#/properties/customer/$ref');
    expect(err.message).toContain("no reference named 'customer.json'");
  });

  it('refuses a fragment the referenced schema does not have', () => {
    const err = refusal(() =>
      parse({ properties: { id: { $ref: 'customer.json#/definitions/Nope' } } }, [
        ref('customer.json', customer),
      ]),
    );
    expect(err.path).toBe('#/properties/id/$ref');
    expect(err.message).toContain("nothing at #/definitions/Nope in reference 'customer.json'");
  });

  it('refuses a reference that is not JSON', () => {
    const broken: ResolvedReference = {
      name: 'b.json',
      subject: 'b',
      version: 3,
      schema: '{',
      references: [],
    };
    expect(refusal(() => parse({ $ref: 'b.json' }, [broken])).message).toMatch(
      /reference 'b.json' \(b version 3\) is not a JSON schema/,
    );
  });

  it('terminates on references that refer to each other', () => {
    const a = { properties: { b: { $ref: 'b.json' } } };
    const b = { properties: { a: { $ref: 'a.json' } } };
    const refs = [ref('a.json', a, [ref('b.json', b)]), ref('b.json', b, [ref('a.json', a)])];
    const parsed = parse({ properties: { a: { $ref: 'a.json' } } }, refs);
    expect(
      jsonSchemaFormat.checkCompatibility(parsed, parse({ properties: { a: { $ref: 'a.json' } } }, refs)),
    ).toEqual([]);
  });

  it('does not follow references into other schemas for fields', () => {
    const parsed = parse({ properties: { customer: { $ref: 'customer.json' } } }, [
      ref('customer.json', customer),
    ]);
    expect(parsed.fields.map((f) => f.path)).toEqual(['#/properties/customer']);
  });

  it('compares through references: a change in the referenced schema is a change', () => {
    const schema = { properties: { id: { $ref: 'customer.json#/definitions/Id' } } };
    const v1 = parse(schema, [ref('customer.json', customer)]);
    const narrower = { ...customer, definitions: { Id: { type: 'string', maxLength: 5 } } };
    const v2 = parse(schema, [ref('customer.json', narrower)]);
    expect(jsonSchemaFormat.checkCompatibility(v2, v1)).toMatchObject([
      { rule: 'MAX_LENGTH_DECREASED', path: '#/properties/id/maxLength' },
    ]);
  });
});

describe('local $ref', () => {
  it.each([
    [
      '#/definitions',
      { properties: { a: { $ref: '#/definitions/A' } }, definitions: { A: { type: 'string' } } },
    ],
    [
      '#/$defs',
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        properties: { a: { $ref: '#/$defs/A' } },
        $defs: { A: { type: 'string' } },
      },
    ],
    [
      'any pointer',
      {
        properties: { a: { $ref: '#/definitions/x/properties/y' } },
        definitions: { x: { properties: { y: { type: 'string' } } } },
      },
    ],
    [
      'a percent-encoded and escaped pointer',
      { properties: { a: { $ref: '#/definitions/a%20b~1c' } }, definitions: { 'a b/c': { type: 'string' } } },
    ],
    [
      'a draft-07 plain-name $id',
      { properties: { a: { $ref: '#A' } }, definitions: { A: { $id: '#A', type: 'string' } } },
    ],
    [
      'a 2020-12 $anchor',
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        properties: { a: { $ref: '#A' } },
        $defs: { A: { $anchor: 'A', type: 'string' } },
      },
    ],
    [
      'an embedded $id',
      {
        $id: 'https://example.com/root.json',
        properties: { a: { $ref: 'inner.json' } },
        definitions: { i: { $id: 'inner.json', type: 'string' } },
      },
    ],
  ])('resolves %s', (_what, schema) => {
    const parsed = parse(schema);
    expect(parsed.referencedNames).toEqual([]);
    const asString = parse({ properties: { a: { type: 'string' } } });
    expect(jsonSchemaFormat.checkCompatibility(parsed, asString)).toEqual([]);
  });

  it('refuses a pointer to nothing', () => {
    const err = refusal(() => parse({ properties: { a: { $ref: '#/definitions/Missing' } } }));
    expect(err.path).toBe('#/properties/a/$ref');
    expect(err.message).toBe(
      "$ref '#/definitions/Missing' cannot be resolved: nothing at #/definitions/Missing in this schema",
    );
  });

  it('refuses $refs that only lead to one another', () => {
    const err = refusal(() =>
      parse({
        properties: { a: { $ref: '#/definitions/A' } },
        definitions: { A: { $ref: '#/definitions/B' }, B: { $ref: '#/definitions/A' } },
      }),
    );
    expect(err.message).toMatch(/leads through \$refs back to itself/);
  });

  it('accepts recursion through properties (a tree) and compares it with itself', () => {
    const tree = {
      type: 'object',
      properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } },
    };
    const parsed = parse(tree);
    expect(jsonSchemaFormat.checkCompatibility(parsed, parse(tree))).toEqual([]);
  });

  it('ignores $ref siblings before 2019-09 and applies them from 2019-09 on', () => {
    const siblings = (schema: string) => ({
      $schema: schema,
      properties: { a: { $ref: '#/definitions/A', maxLength: 3 } },
      definitions: { A: { type: 'string' } },
    });
    const plain = parse({ properties: { a: { type: 'string' } } });
    expect(
      jsonSchemaFormat.checkCompatibility(parse(siblings('http://json-schema.org/draft-07/schema#')), plain),
    ).toEqual([]);
    const modern = jsonSchemaFormat.checkCompatibility(
      parse(siblings('https://json-schema.org/draft/2019-09/schema')),
      plain,
    );
    expect(modern.map((i) => i.rule)).toEqual(['TYPE_CHANGED']);
  });
});
