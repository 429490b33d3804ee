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

  it('flattens Avro arrays and maps of records, unions and named references, keeping every tag', () => {
    const address = {
      type: 'record',
      name: 'Address',
      fields: [
        { name: 'street', type: 'string', 'confluent:tags': ['PII'] },
        { name: 'country', type: 'string' },
      ],
    };
    const c = contractFields('s', {
      schema: JSON.stringify({
        type: 'record',
        name: 'Customer',
        namespace: 'shop',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'addresses', type: { type: 'array', items: address } },
          // A reference to the named type defined above, in a union with null.
          { name: 'billing', type: ['null', 'shop.Address'] },
          { name: 'contacts', type: { type: 'map', values: ['null', { type: 'array', items: 'Address' }] } },
          // A tag on the container applies to everything inside it.
          {
            name: 'notes',
            type: {
              type: 'array',
              items: { type: 'record', name: 'Note', fields: [{ name: 'text', type: 'string' }] },
            },
            'confluent:tags': ['PHI'],
          },
          { name: 'emails', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] },
        ],
      }),
    });
    expect(c.fields).toEqual([
      { name: 'id', tags: [] },
      { name: 'addresses.street', tags: ['pii'] },
      { name: 'addresses.country', tags: [] },
      { name: 'billing.street', tags: ['pii'] },
      { name: 'billing.country', tags: [] },
      { name: 'contacts.street', tags: ['pii'] },
      { name: 'contacts.country', tags: [] },
      { name: 'notes.text', tags: ['phi'] },
      { name: 'emails', tags: ['pii'] },
    ]);
  });

  it('cuts a recursive type where it recurs, carrying every tag inside it', () => {
    const c = contractFields('s', {
      schema: JSON.stringify({
        type: 'record',
        name: 'Person',
        fields: [
          { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
          { name: 'manager', type: ['null', 'Person'] },
        ],
      }),
    });
    expect(c.fields).toEqual([
      { name: 'email', tags: ['pii'] },
      { name: 'manager', tags: ['pii'] },
    ]);
  });

  it('reads Protobuf oneofs, maps, nested and repeated messages, in both tag syntaxes', () => {
    const c = contractFields('s', {
      schemaType: 'PROTOBUF',
      schema: `syntax = "proto3";
package shop.v1;
import "confluent/meta.proto";
message Customer {
  option (confluent.message_meta) = { doc: "a customer" };
  oneof contact {
    string email = 1 [(confluent.field_meta).tags = "PII"];
    string phone = 2 [(confluent.field_meta) = { tags: ["PII", "CONTACT"] }];
  }
  map<string, string> attributes = 3 [(confluent.field_meta).tags = "PII"];
  repeated Address addresses = 4;
  map<string, .shop.v1.Customer.Address> by_label = 5;
  /* a comment with message Fake { string x = 1; } inside */
  message Address {
    string street = 1 [(confluent.field_meta) = { tags: "PII" }]; // trailing
    string country = 2;
  }
  enum Status { ACTIVE = 0; CHURNED = 1; }
  Status status = 6;
  reserved 7, 8;
}
message Other { string ignored = 1; }`,
    });
    expect(c.fields).toEqual([
      { name: 'email', tags: ['pii'] },
      { name: 'phone', tags: ['pii', 'contact'] },
      { name: 'attributes', tags: ['pii'] },
      { name: 'addresses.street', tags: ['pii'] },
      { name: 'addresses.country', tags: [] },
      { name: 'by_label.street', tags: ['pii'] },
      { name: 'by_label.country', tags: [] },
      { name: 'status', tags: [] },
    ]);
  });

  it('flattens JSON Schema arrays, maps and $refs', () => {
    const c = contractFields('s', {
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        $defs: {
          address: {
            type: 'object',
            properties: { street: { type: 'string', 'confluent:tags': ['PII'] }, zip: { type: 'string' } },
          },
        },
        properties: {
          id: { type: 'string' },
          addresses: { type: 'array', items: { $ref: '#/$defs/address' } },
          labels: { type: 'object', additionalProperties: { $ref: '#/$defs/address' } },
          card: { oneOf: [{ type: 'null' }, { type: 'string', 'confluent:tags': ['PCI'] }] },
          extra: { type: 'object', 'confluent:tags': ['PII'] },
        },
      }),
    });
    expect(c.fields).toEqual([
      { name: 'id', tags: [] },
      { name: 'addresses.street', tags: ['pii'] },
      { name: 'addresses.zip', tags: [] },
      { name: 'labels.street', tags: ['pii'] },
      { name: 'labels.zip', tags: [] },
      { name: 'card', tags: ['pci'] },
      { name: 'extra', tags: ['pii'] },
    ]);
  });

  it('applies a metadata.tags path naming a container to the fields inside it', () => {
    const c = contractFields('s', {
      schema: JSON.stringify({
        type: 'record',
        name: 'Customer',
        fields: [
          {
            name: 'address',
            type: { type: 'record', name: 'A', fields: [{ name: 'street', type: 'string' }] },
          },
          { name: 'id', type: 'string' },
        ],
      }),
      metadata: { tags: { 'Customer.address': ['PII'] } },
    });
    expect(c.fields).toEqual([
      { name: 'address.street', tags: ['pii'] },
      { name: 'id', tags: [] },
    ]);
  });

  it('refuses a contract it cannot read for fields: none declared, an unknown type, a foreign $ref', () => {
    const unreadable = [
      { schema: JSON.stringify({ type: 'record', name: 'Empty', fields: [] }) },
      { schema: '"string"' },
      { schemaType: 'JSON', schema: JSON.stringify({ type: 'object' }) },
      { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\nenum E { A = 0; }\n' },
      { schemaType: 'PROTOBUF', schema: 'message M { string x = ; }' },
      { schemaType: 'XML', schema: '<x/>' },
      {
        schemaType: 'JSON',
        schema: JSON.stringify({ type: 'object', properties: { a: { $ref: 'https://example.com/a.json' } } }),
      },
    ];
    for (const body of unreadable) expect(() => contractFields('s', body), body.schema).toThrow();
  });
});
