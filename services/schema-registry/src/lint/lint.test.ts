import { describe, expect, it } from 'vitest';
import type { FieldInfo, ParsedSchema } from '../formats/schema-format.ts';
import { lint } from './lint.ts';

function schema(
  fields: Array<Partial<FieldInfo> & { name: string }>,
  extra: Partial<ParsedSchema> = {},
): ParsedSchema {
  return {
    type: 'AVRO',
    raw: '',
    canonical: '',
    fields: fields.map((f) => ({ path: `Customer.${f.name}`, tags: [], type: 'string', ...f })),
    namedTypes: [{ kind: 'record', name: 'shop.Customer', path: 'Customer' }],
    referencedNames: [],
    model: null,
    ...extra,
  };
}

describe('lint', () => {
  it('blocks untagged fields that look personal, by name, in either naming convention', () => {
    const report = lint({
      schema: schema([
        { name: 'id', doc: 'key' },
        { name: 'email', doc: 'contact' },
        { name: 'billingPhone', doc: 'x' },
        { name: 'first_name', doc: 'x' },
        { name: 'ip_address', doc: 'x' },
        { name: 'date_of_birth', doc: 'x' },
        { name: 'card_number', doc: 'x', tags: ['PCI'] },
        { name: 'name', doc: 'x', tags: ['PII'] },
        { name: 'annual_revenue', doc: 'x' },
      ]),
      retention: 'P2Y',
    });
    const pii = report.findings.filter((f) => f.rule === 'pii-untagged');
    expect(pii.map((f) => f.path)).toEqual([
      'Customer.email',
      'Customer.billingPhone',
      'Customer.first_name',
      'Customer.ip_address',
      'Customer.date_of_birth',
    ]);
    expect(pii.every((f) => f.severity === 'error' && f.fix.includes('confluent:tags'))).toBe(true);
    expect(report.errors).toBe(5);
  });

  it('counts fields tagged through metadata.tags globs as tagged, as the contract view does', () => {
    const s = schema([
      { name: 'email', doc: 'contact', path: 'shop.Customer.email' },
      { name: 'phone', doc: 'contact', path: 'shop.Customer.billing.phone' },
      { name: 'first_name', doc: 'x', path: 'shop.Customer.first_name' },
    ]);
    const report = lint({
      schema: s,
      retention: 'P2Y',
      tags: { '**.email': ['PII'], 'shop.Customer.*.phone': ['pii'], 'shop.Customer.id': ['PII'] },
    });
    expect(report.findings.filter((f) => f.rule === 'pii-untagged').map((f) => f.path)).toEqual([
      'shop.Customer.first_name',
    ]);
    // A tag that is not about personal data does not count.
    const other = lint({ schema: s, retention: 'P2Y', tags: { '**.email': ['CONTACT'] } });
    expect(other.findings.filter((f) => f.rule === 'pii-untagged').map((f) => f.path)).toContain(
      'shop.Customer.email',
    );
  });

  it('reads a field doc that says it holds personal data, whatever the field is named', () => {
    const report = lint({
      schema: schema([
        { name: 'contact', doc: 'Customer email address' },
        { name: 'reach', doc: 'Mobile number, E.164' },
        { name: 'holder', doc: "The cardholder's full name" },
        { name: 'tagged', doc: 'Date of birth', tags: ['PII'] },
        { name: 'meta_tagged', doc: 'Home address' },
        { name: 'product_label', doc: 'Product name shown in the shop' },
        { name: 'sent', doc: 'How many emails were sent' },
      ]),
      retention: 'P2Y',
      tags: { meta_tagged: ['PII'] },
    });
    const pii = report.findings.filter((f) => f.rule === 'pii-untagged');
    expect(pii.map((f) => f.path)).toEqual(['Customer.contact', 'Customer.reach', 'Customer.holder']);
    expect(pii[0]?.message).toBe(
      "field 'contact' looks like an email address (by its doc) but carries no PII tag",
    );
  });

  it('warns about style and retention, and honours severity overrides in order', () => {
    const s = schema([{ name: 'CustomerID' }], {
      namedTypes: [{ kind: 'enum', name: 'tier_level', path: 'Tier', symbols: ['GOLD', 'silver'] }],
    });
    const report = lint({ schema: s, retention: null });
    expect(report.errors).toBe(0);
    expect(new Set(report.findings.map((f) => f.rule))).toEqual(
      new Set([
        'retention-missing',
        'naming-type-pascal-case',
        'naming-field-snake-case',
        'naming-enum-symbols-lowercase',
        'field-doc-missing',
      ]),
    );
    const strict = lint(
      { schema: s, retention: null },
      { 'retention-missing': 'error' },
      { 'field-doc-missing': 'off' },
    );
    expect(strict.errors).toBe(1);
    expect(strict.findings.some((f) => f.rule === 'field-doc-missing')).toBe(false);
  });
});
