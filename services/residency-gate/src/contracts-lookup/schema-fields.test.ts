import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractFields } from './schema-fields.ts';

const customer = readFileSync(
  new URL('../../../../schema/contracts/shop.public.customer.avsc', import.meta.url),
  'utf8',
);

describe('fields and tags from a registry answer', () => {
  it('reads inline confluent:tags and the classification of the demo contract', () => {
    const c = contractFields('shop.public.customer-value', {
      subject: 'shop.public.customer-value',
      version: 3,
      id: 1,
      schema: customer,
    });
    expect(c.classification).toBe('confidential');
    expect(c.version).toBe(3);
    expect(c.fields.find((f) => f.name === 'email')?.tags).toEqual(['pii']);
    expect(c.fields.find((f) => f.name === 'name')?.tags).toEqual(['pii']);
    expect(c.fields.find((f) => f.name === 'status')?.tags).toEqual([]);
  });

  it('adds tags from metadata.tags paths and the classification property', () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'Payment',
      fields: [
        { name: 'card', type: 'string' },
        {
          name: 'address',
          type: { type: 'record', name: 'Addr', fields: [{ name: 'zip', type: 'string' }] },
        },
      ],
    });
    const c = contractFields('s', {
      schema,
      metadata: {
        tags: { 'Payment.card': ['PCI'], '**.zip': ['PII'] },
        properties: { 'data-spine.classification': 'restricted' },
      },
    });
    expect(c.fields).toEqual([
      { name: 'card', tags: ['pci'] },
      { name: 'address.zip', tags: ['pii'] },
    ]);
    expect(c.classification).toBe('restricted');
  });

  it('reads JSON Schema and Protobuf contracts', () => {
    const json = contractFields('s', {
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        properties: { email: { type: 'string', 'confluent:tags': ['PII'] }, n: { type: 'integer' } },
      }),
    });
    expect(json.fields).toEqual([
      { name: 'email', tags: ['pii'] },
      { name: 'n', tags: [] },
    ]);
    const proto = contractFields('s', {
      schemaType: 'PROTOBUF',
      schema:
        'syntax = "proto3";\nmessage Customer {\n  string email = 1 [(confluent.field_meta) = { tags: ["PII"] }];\n  int64 id = 2;\n}\n',
    });
    expect(proto.fields).toEqual([
      { name: 'email', tags: ['pii'] },
      { name: 'id', tags: [] },
    ]);
  });
});
