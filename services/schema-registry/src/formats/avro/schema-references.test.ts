import { describe, expect, it } from 'vitest';
import type { ResolvedReference } from '../schema-format.ts';
import { InvalidSchemaError } from '../schema-format.ts';
import type { AvroModel, RecordType } from './avro-model.ts';
import { avroFormat } from './index.ts';

const ref = (
  name: string,
  schema: unknown,
  references: ResolvedReference[] = [],
  version = 1,
): ResolvedReference => ({
  name,
  subject: `${name}-value`,
  version,
  schema: JSON.stringify(schema),
  references,
});
const parse = (schema: unknown, references: ResolvedReference[]) =>
  avroFormat.parse(JSON.stringify(schema), references, { normalize: false });

const address = ref('shop.Address', {
  type: 'record',
  name: 'Address',
  namespace: 'shop',
  fields: [{ name: 'city', type: 'string' }],
});
const country = ref('geo.Country', {
  type: 'enum',
  name: 'Country',
  namespace: 'geo',
  symbols: ['FR', 'NL'],
});

describe('named types from references', () => {
  it('are usable by full name, and unqualified within their namespace', () => {
    const parsed = parse(
      {
        type: 'record',
        name: 'Customer',
        namespace: 'shop',
        fields: [
          { name: 'home', type: 'Address' },
          { name: 'work', type: ['null', 'shop.Address'], default: null },
          { name: 'country', type: 'geo.Country' },
        ],
      },
      [address, country],
    );
    expect(parsed.referencedNames.sort()).toEqual(['geo.Country', 'shop.Address']);
    const r = (parsed.model as AvroModel).root as RecordType;
    expect(r.fields[0]?.type).toMatchObject({
      type: 'record',
      fullName: 'shop.Address',
      definedIn: 'shop.Address',
    });
  });

  it('resolve transitively: a reference may use the types of its own references', () => {
    const withCountry = ref(
      'shop.Address',
      {
        type: 'record',
        name: 'Address',
        namespace: 'shop',
        fields: [{ name: 'country', type: 'geo.Country' }],
      },
      [country],
    );
    const parsed = parse(
      {
        type: 'record',
        name: 'Customer',
        namespace: 'shop',
        fields: [
          { name: 'home', type: 'Address' },
          { name: 'c', type: 'geo.Country' },
        ],
      },
      [withCountry],
    );
    expect(parsed.referencedNames.sort()).toEqual(['geo.Country', 'shop.Address']);
  });

  it('parse a reference met twice (a diamond) once', () => {
    const a = ref(
      'a.A',
      { type: 'record', name: 'A', namespace: 'a', fields: [{ name: 'c', type: 'geo.Country' }] },
      [country],
    );
    const b = ref(
      'b.B',
      { type: 'record', name: 'B', namespace: 'b', fields: [{ name: 'c', type: 'geo.Country' }] },
      [country],
    );
    expect(() =>
      parse(
        {
          type: 'record',
          name: 'Top',
          fields: [
            { name: 'a', type: 'a.A' },
            { name: 'b', type: 'b.B' },
          ],
        },
        [a, b],
      ),
    ).not.toThrow();
  });

  it('are compared field by field when two versions take them from different references', () => {
    const v1 = parse({ type: 'record', name: 'C', fields: [{ name: 'home', type: 'shop.Address' }] }, [
      address,
    ]);
    const address2 = ref(
      'shop.Address',
      {
        type: 'record',
        name: 'Address',
        namespace: 'shop',
        fields: [
          { name: 'city', type: 'string' },
          { name: 'zip', type: 'string' },
        ],
      },
      [],
      2,
    );
    const v2 = parse({ type: 'record', name: 'C', fields: [{ name: 'home', type: 'shop.Address' }] }, [
      address2,
    ]);
    expect(avroFormat.checkCompatibility(v2, v1)).toMatchObject([
      { rule: 'READER_FIELD_MISSING_DEFAULT_VALUE', path: '/fields/0/type/fields/1' },
    ]);
    expect(avroFormat.checkCompatibility(v1, v2)).toEqual([]);
  });

  it('are not listed among the schema’s own fields and named types (their subjects list them)', () => {
    const parsed = parse(
      { type: 'record', name: 'Customer', namespace: 'shop', fields: [{ name: 'home', type: 'Address' }] },
      [address],
    );
    expect(parsed.fields.map((f) => f.path)).toEqual(['Customer.home']);
    expect(parsed.namedTypes.map((t) => t.name)).toEqual(['shop.Customer']);
  });

  it.each([
    [
      'a missing reference',
      { type: 'record', name: 'C', fields: [{ name: 'home', type: 'shop.Address' }] },
      [],
      /undefined name: 'shop.Address'/,
      '/fields/0/type',
    ],
    [
      'a type the schema redefines',
      { type: 'record', name: 'Address', namespace: 'shop', fields: [] },
      [address],
      /can't redefine 'shop.Address' \(already defined in reference 'shop.Address'\)/,
      '/',
    ],
    [
      'an invalid referenced schema',
      '"int"',
      [ref('bad', { type: 'record', name: 'bad-name', fields: [] })],
      /reference 'bad' \(bad-value version 1\): invalid record name/,
      '/name',
    ],
    [
      'a referenced schema that is not JSON',
      '"int"',
      [{ ...address, schema: '{' }],
      /reference 'shop.Address' .*invalid JSON/,
      '/',
    ],
  ])('refuse %s', (_what, schema, refs, message, path) => {
    try {
      parse(schema, refs as ResolvedReference[]);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidSchemaError);
      expect((err as InvalidSchemaError).message).toMatch(message);
      expect((err as InvalidSchemaError).path).toBe(path);
    }
  });

  it('stop at reference cycles instead of looping (the registry refuses them first)', () => {
    const a: ResolvedReference = { name: 'a', subject: 'a', version: 1, schema: '"int"', references: [] };
    a.references.push(a);
    expect(() => avroFormat.parse('"string"', [a], { normalize: false })).not.toThrow();
  });
});
