import { describe, expect, it } from 'vitest';
import { jsonSchemaFormat } from './index.ts';

const parse = (schema: unknown) => jsonSchemaFormat.parse(JSON.stringify(schema), [], { normalize: false });

describe('fields', () => {
  it('lists properties recursively with doc, confluent:tags and type', () => {
    const parsed = parse({
      type: 'object',
      properties: {
        email: { type: 'string', description: 'Where we write', 'confluent:tags': ['PII'] },
        age: { type: 'integer' },
        nickname: { type: ['null', 'string'] },
        tier: { type: 'string', enum: ['gold', 'silver'] },
        address: {
          type: 'object',
          properties: { street: { type: 'string', 'confluent:tags': ['PII', 'ADDRESS'] } },
        },
      },
    });
    expect(parsed.fields).toEqual([
      { path: '#/properties/email', name: 'email', doc: 'Where we write', tags: ['PII'], type: 'string' },
      { path: '#/properties/age', name: 'age', tags: [], type: 'integer' },
      { path: '#/properties/nickname', name: 'nickname', tags: [], type: '["null","string"]' },
      { path: '#/properties/tier', name: 'tier', tags: [], type: 'string' },
      { path: '#/properties/address', name: 'address', tags: [], type: 'object' },
      {
        path: '#/properties/address/properties/street',
        name: 'street',
        tags: ['PII', 'ADDRESS'],
        type: 'string',
      },
    ]);
  });

  it('follows local $refs, nullable unions and array items, under the logical path', () => {
    const parsed = parse({
      type: 'object',
      properties: {
        billing: { $ref: '#/definitions/Address' },
        shipping: { oneOf: [{ type: 'null' }, { $ref: '#/definitions/Address' }] },
        lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
      },
      definitions: {
        Address: {
          type: 'object',
          description: 'A postal address',
          properties: { street: { type: 'string' } },
        },
      },
    });
    expect(parsed.fields.map((f) => [f.path, f.type, f.doc])).toEqual([
      ['#/properties/billing', '#/definitions/Address', 'A postal address'],
      ['#/properties/shipping', '["null","#/definitions/Address"]', undefined],
      ['#/properties/lines', 'array', undefined],
      ['#/properties/billing/properties/street', 'string', undefined],
      ['#/properties/shipping/properties/street', 'string', undefined],
      ['#/properties/lines/items/properties/sku', 'string', undefined],
    ]);
  });

  it('stops at recursion', () => {
    const parsed = parse({
      type: 'object',
      properties: { categories: { type: 'array', items: { $ref: '#/definitions/Category' } } },
      definitions: {
        Category: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            categories: { type: 'array', items: { $ref: '#/definitions/Category' } },
          },
        },
      },
    });
    expect(parsed.fields.map((f) => f.path)).toEqual([
      '#/properties/categories',
      '#/properties/categories/items/properties/id',
      '#/properties/categories/items/properties/categories',
    ]);
  });

  it('escapes property names in paths', () => {
    expect(parse({ properties: { 'a/b': { type: 'string' } } }).fields[0]!.path).toBe('#/properties/a~1b');
  });
});

describe('namedTypes', () => {
  it('names titled object schemas, where they are written', () => {
    const parsed = parse({
      title: 'Order',
      description: 'An order',
      type: 'object',
      properties: { customer: { $ref: '#/definitions/Customer' }, note: { title: 'Note', type: 'string' } },
      definitions: {
        Customer: {
          title: 'shop.Customer',
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string' } },
        },
      },
    });
    expect(parsed.namedTypes).toEqual([
      { kind: 'object', name: 'Order', path: '#', doc: 'An order' },
      { kind: 'object', name: 'shop.Customer', path: '#/definitions/Customer' },
    ]);
  });
});
