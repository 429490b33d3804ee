import { describe, expect, it } from 'vitest';
import { contractFieldTags } from './contract-field-names.ts';

// `fields` as the schema registry's GET /contracts/{subject}/versions/latest answered them.
const sorted = (m: Map<string, string[]>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('contractFieldTags', () => {
  it('names Avro fields from the top record, nested ones by dotted path, arrays transparent', () => {
    const tags = contractFieldTags('AVRO', [
      { name: 'id', path: 'Customer.id', type: 'string', tags: [] },
      { name: 'email', path: 'Customer.email', type: '["null","string"]', tags: ['PII'] },
      { name: 'address', path: 'Customer.address', type: 'shop.Address', tags: ['PII'] },
      { name: 'street', path: 'Customer.address.street', type: 'string', tags: ['PII'] },
      { name: 'city', path: 'Customer.address.city', type: 'string', tags: ['PII', 'PII'] },
      { name: 'items', path: 'Customer.items', type: 'array<shop.Item>', tags: [] },
      { name: 'sku', path: 'Customer.items[].sku', type: 'string', tags: ['INTERNAL'] },
    ]);
    expect(sorted(tags)).toEqual({
      address: ['PII'],
      'address.city': ['PII'],
      'address.street': ['PII'],
      email: ['PII'],
      'items.sku': ['INTERNAL'],
    });
  });

  it('names JSON Schema fields from their pointers', () => {
    const tags = contractFieldTags('JSON', [
      { name: 'id', path: '#/properties/id', type: 'string', tags: [] },
      { name: 'email', path: '#/properties/contact/properties/email', type: 'string', tags: ['PII'] },
      { name: 'note', path: '#/properties/lines/items/properties/note', type: 'string', tags: ['FREE_TEXT'] },
      { name: 'a/b', path: '#/properties/a~1b', type: 'string', tags: ['PII'] },
    ]);
    expect(sorted(tags)).toEqual({ 'a/b': ['PII'], 'contact.email': ['PII'], 'lines.note': ['FREE_TEXT'] });
  });

  it('follows Protobuf message-typed fields from the first message, nested and package-qualified', () => {
    const tags = contractFieldTags('PROTOBUF', [
      { name: 'id', path: 'Payment.id', type: 'string', tags: [] },
      { name: 'card_number', path: 'Payment.card_number', type: 'string', tags: ['PCI'] },
      { name: 'holder', path: 'Payment.holder', type: 'Holder', tags: [] },
      { name: 'lines', path: 'Payment.lines', type: 'repeated Line', tags: [] },
      { name: 'notes', path: 'Payment.notes', type: 'map<string, .shop.v1.Payment.Line>', tags: [] },
      { name: 'memo', path: 'Payment.Line.memo', type: 'string', tags: ['FREE_TEXT'] },
      { name: 'name', path: 'Holder.name', type: 'string', tags: ['PII'] },
      { name: 'next', path: 'Holder.next', type: 'shop.v1.Holder', tags: [] },
      // A message nothing refers to: not part of the value.
      { name: 'secret', path: 'Unused.secret', type: 'string', tags: ['PII'] },
    ]);
    expect(sorted(tags)).toEqual({
      card_number: ['PCI'],
      'holder.name': ['PII'],
      'lines.memo': ['FREE_TEXT'],
      'notes.memo': ['FREE_TEXT'],
    });
  });

  it('has nothing for a contract without fields', () => {
    expect(contractFieldTags('PROTOBUF', []).size).toBe(0);
    expect(contractFieldTags('AVRO', []).size).toBe(0);
  });
});
