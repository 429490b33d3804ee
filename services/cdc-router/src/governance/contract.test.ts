import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contractOf } from './contract.ts';

const AVRO = readFileSync(
  fileURLToPath(new URL('../../../../schema/contracts/shop.public.customer.avsc', import.meta.url)),
  'utf8',
);

describe('contracts as the router reads them', () => {
  it('reads the demo Avro contract: PII tags on name and email, its classification', () => {
    const c = contractOf({ subject: 'shop.public.customer-value', version: 1, id: 1, schema: AVRO });
    expect(c.classification).toBe('confidential');
    expect(c.fields.filter((f) => f.tags.includes('pii')).map((f) => f.name)).toEqual(['name', 'email']);
    expect(c.fields.map((f) => f.name)).toEqual([
      'id',
      'name',
      'email',
      'status',
      'created_at',
      'annual_revenue',
      'industry',
    ]);
  });

  it('adds metadata tags (Confluent paths) to inline ones, and reads JSON Schema and Protobuf', () => {
    const json = contractOf({
      subject: 's',
      version: 2,
      id: 2,
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        properties: { id: { type: 'integer' }, phone: { type: 'string' } },
      }),
      metadata: { tags: { '**.phone': ['PII'] }, properties: { 'data-spine.classification': 'internal' } },
    });
    expect(json.fields).toEqual([
      { name: 'id', tags: [], type: 'integer' },
      { name: 'phone', tags: ['pii'], type: 'string' },
    ]);
    expect(json.classification).toBe('internal');
    const proto = contractOf({
      subject: 'p',
      version: 1,
      id: 3,
      schemaType: 'PROTOBUF',
      schema:
        'syntax = "proto3";\nmessage Card {\n  int64 id = 1;\n  string pan = 2 [(confluent.field_meta) = { tags: ["PCI"] }];\n}\n',
    });
    expect(proto.fields).toEqual([
      { name: 'id', tags: [], type: 'integer' },
      { name: 'pan', tags: ['pci'], type: 'string' },
    ]);
    // No classification declared: the most restrictive one is asked for, never a guess in our favour.
    expect(proto.classification).toBe('restricted');
  });
});
