import { describe, expect, it } from 'vitest';
import { avroFormat } from './index.ts';

const parse = (schema: unknown) => avroFormat.parse(JSON.stringify(schema), [], { normalize: false });

describe('fields and named types, for lint and data contracts', () => {
  const customer = {
    type: 'record',
    name: 'Customer',
    namespace: 'shop.public',
    doc: 'a customer',
    fields: [
      { name: 'id', type: 'long', doc: 'key' },
      {
        name: 'email',
        type: ['null', 'string'],
        default: null,
        doc: 'contact',
        'confluent:tags': ['PII', 'EMAIL'],
      },
      {
        name: 'address',
        type: {
          type: 'record',
          name: 'Address',
          fields: [
            { name: 'street', type: 'string', 'confluent:tags': ['PII'] },
            { name: 'tier', type: { type: 'enum', name: 'Tier', symbols: ['gold', 'SILVER'], doc: 'level' } },
          ],
        },
      },
      {
        name: 'orders',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'Order',
            fields: [
              { name: 'sku', type: 'string' },
              { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
            ],
          },
        },
      },
      {
        name: 'attrs',
        type: {
          type: 'map',
          values: {
            type: 'record',
            name: 'Attr',
            fields: [{ name: 'v', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } }],
          },
        },
      },
      { name: 'referrer', type: ['null', 'Customer'], default: null },
      { name: 'bad_tags', type: 'string', 'confluent:tags': 'PII' },
    ],
  };

  it('lists every record field with its path, doc, inline tags and type', () => {
    expect(parse(customer).fields).toEqual([
      { path: 'Customer.id', name: 'id', doc: 'key', tags: [], type: 'long' },
      {
        path: 'Customer.email',
        name: 'email',
        doc: 'contact',
        tags: ['PII', 'EMAIL'],
        type: '["null","string"]',
      },
      { path: 'Customer.address', name: 'address', tags: [], type: 'shop.public.Address' },
      { path: 'Customer.address.street', name: 'street', tags: ['PII'], type: 'string' },
      { path: 'Customer.address.tier', name: 'tier', tags: [], type: 'shop.public.Tier' },
      { path: 'Customer.orders', name: 'orders', tags: [], type: 'array<shop.public.Order>' },
      { path: 'Customer.orders[].sku', name: 'sku', tags: [], type: 'string' },
      { path: 'Customer.orders[].at', name: 'at', tags: [], type: 'long:timestamp-millis' },
      { path: 'Customer.attrs', name: 'attrs', tags: [], type: 'map<shop.public.Attr>' },
      { path: 'Customer.attrs{}.v', name: 'v', tags: [], type: 'bytes:decimal(10,2)' },
      { path: 'Customer.referrer', name: 'referrer', tags: [], type: '["null","shop.public.Customer"]' },
      // `confluent:tags` must be an array of strings to count, as Confluent reads it
      { path: 'Customer.bad_tags', name: 'bad_tags', tags: [], type: 'string' },
    ]);
  });

  it('lists records, enums (with symbols) and fixed where they are defined, recursive ones once', () => {
    expect(parse(customer).namedTypes).toEqual([
      { kind: 'record', name: 'shop.public.Customer', path: 'Customer', doc: 'a customer' },
      { kind: 'record', name: 'shop.public.Address', path: 'Customer.address' },
      {
        kind: 'enum',
        name: 'shop.public.Tier',
        path: 'Customer.address.tier',
        symbols: ['gold', 'SILVER'],
        doc: 'level',
      },
      { kind: 'record', name: 'shop.public.Order', path: 'Customer.orders[]' },
      { kind: 'record', name: 'shop.public.Attr', path: 'Customer.attrs{}' },
    ]);
  });

  it('has no fields for a schema without records', () => {
    const parsed = parse({ type: 'enum', name: 'E', symbols: ['A'] });
    expect(parsed.fields).toEqual([]);
    expect(parsed.namedTypes).toEqual([{ kind: 'enum', name: 'E', path: 'E', symbols: ['A'] }]);
    expect(parse('string').fields).toEqual([]);
  });
});
