import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../schema-format.ts';
import type { ResolvedReference } from '../schema-format.ts';
import { protobufFormat } from './index.ts';

const ref = (
  name: string,
  schema: string,
  references: ResolvedReference[] = [],
  version = 1,
): ResolvedReference => ({
  name,
  subject: name.replace(/\.proto$/, ''),
  version,
  schema,
  references,
});

const parse = (text: string, references: ResolvedReference[] = [], normalize = false) =>
  protobufFormat.parse(text, references, { normalize });

function invalid(text: string, references: ResolvedReference[] = []): InvalidSchemaError {
  try {
    parse(text, references);
  } catch (e) {
    if (e instanceof InvalidSchemaError) return e;
    throw e;
  }
  throw new Error('expected an InvalidSchemaError');
}

describe('protobufFormat.parse: imports', () => {
  it('resolves imports from references by name, and their own references transitively', () => {
    const country = ref(
      'country.proto',
      'syntax = "proto3";\npackage geo;\nmessage Country { string code = 1; }',
    );
    const address = ref(
      'address.proto',
      'syntax = "proto3";\npackage shop.common;\nimport "country.proto";\nmessage Address { string street = 1; geo.Country country = 2; }',
      [country],
    );
    const parsed = parse(
      'syntax = "proto3";\npackage shop;\nimport "address.proto";\nmessage Customer { shop.common.Address address = 1; }',
      [address],
    );
    expect(parsed.referencedNames).toEqual(['address.proto']);
    expect(parsed.fields.map((f) => [f.path, f.type])).toEqual([['Customer.address', 'shop.common.Address']]);
  });

  it('builds in the well-known types and confluent/meta.proto', () => {
    const parsed = parse(`syntax = "proto3";
      import "google/protobuf/timestamp.proto";
      import "google/protobuf/wrappers.proto";
      import "google/type/money.proto";
      import "confluent/meta.proto";
      message Payment {
        google.protobuf.Timestamp at = 1;
        google.protobuf.StringValue note = 2;
        google.type.Money amount = 3 [(confluent.field_meta).doc = "gross"];
      }`);
    expect(parsed.fields.map((f) => f.type)).toEqual([
      'google.protobuf.Timestamp',
      'google.protobuf.StringValue',
      'google.type.Money',
    ]);
    expect(parsed.fields[2]!.doc).toBe('gross');
  });

  it('refuses an import that is neither a reference nor built in, naming it in path', () => {
    const error = invalid('syntax = "proto3";\nimport "other.proto";\nmessage A { int32 a = 1; }');
    expect(error.path).toBe('other.proto');
    expect(error.message).toContain('"references"');
  });

  it('refuses an import missing from a referenced file, and an invalid referenced file', () => {
    const broken = ref('a.proto', 'syntax = "proto3";\nimport "b.proto";\nmessage A {}');
    expect(invalid('syntax = "proto3";\nimport "a.proto";\nmessage M {}', [broken]).message).toContain(
      'imported by "a.proto"',
    );
    const garbage = ref('a.proto', 'syntax = "proto3";\nmessage A {');
    const error = invalid('syntax = "proto3";\nimport "a.proto";\nmessage M {}', [garbage]);
    expect(error.path).toBe('a.proto');
    expect(error.message).toContain('imported file "a.proto" is invalid');
  });

  it('refuses a type that does not resolve, or lives in a file that is not imported', () => {
    expect(invalid('syntax = "proto3";\nmessage Customer { Address address = 1; }').path).toBe(
      'Customer.address',
    );
    expect(invalid('syntax = "proto3";\nmessage A { google.protobuf.Timestamp at = 1; }').message).toContain(
      "could not resolve type 'google.protobuf.Timestamp'",
    );
    const country = ref(
      'country.proto',
      'syntax = "proto3";\npackage geo;\nmessage Country { string code = 1; }',
    );
    const address = ref(
      'address.proto',
      'syntax = "proto3";\nimport "country.proto";\nmessage Address { geo.Country c = 1; }',
      [country],
    );
    const error = invalid('syntax = "proto3";\nimport "address.proto";\nmessage M { geo.Country c = 1; }', [
      address,
    ]);
    expect(error.message).toContain('which this schema does not import');
  });

  it('sees what an import re-exports with import public', () => {
    const country = ref(
      'country.proto',
      'syntax = "proto3";\npackage geo;\nmessage Country { string code = 1; }',
    );
    const facade = ref('facade.proto', 'syntax = "proto3";\nimport public "country.proto";', [country]);
    expect(() =>
      parse('syntax = "proto3";\nimport "facade.proto";\nmessage M { geo.Country c = 1; }', [facade]),
    ).not.toThrow();
  });

  it.each([
    ['syntax = "proto3";\nmessage A { string a = 1; int32 b = 1; }', 'A.b', 'already used'],
    ['syntax = "proto3";\nmessage A { string a = 1; oneof o { int32 a = 2; } }', 'A.a', 'declared twice'],
    ['syntax = "proto3";\nmessage A { string a = 0; }', 'A.a', 'out of range'],
    [
      'syntax = "proto3";\nmessage A { string a = 19500; }',
      'A.a',
      'reserved for the protobuf implementation',
    ],
    ['syntax = "proto3";\nmessage A { map<double, string> a = 1; }', 'A.a', 'cannot be a map key'],
    ['syntax = "proto3";\nmessage A {}\nenum A { X = 0; }', 'A', 'already defined'],
    ['syntax = "proto3";\nenum E { X = 0; X = 1; }', 'E.X', 'declared twice'],
    ['syntax = "proto3";\nimport "a.proto";\nmessage A {}', 'A', 'also defined in the imported file'],
  ])('refuses %j (path %s)', (text, path, message) => {
    const error = invalid(text, [ref('a.proto', 'syntax = "proto3";\nmessage A {}')]);
    expect(error.path).toBe(path);
    expect(error.message).toContain(message);
  });

  it('accepts, as Confluent does, what only protoc refuses', () => {
    expect(() =>
      parse('syntax = "proto3";\nenum E { ONE = 1; }\nmessage A { reserved 1; string a = 1; }'),
    ).not.toThrow();
  });
});

describe('protobufFormat.parse: what lint reads', () => {
  const parsed = parse(`syntax = "proto3";
    package shop.v1;
    import "confluent/meta.proto";
    // A customer of the shop.
    message Customer {
      // How we reach them.
      string email = 1 [(confluent.field_meta).tags = "PII"];
      bytes avatar = 2 [(confluent.field_meta) = { tags: ["PII", "IMAGE"], doc: "Profile picture" }];
      int64 id = 3;
      repeated string phone_numbers = 4;
      map<string, string> attributes = 5;
      oneof contact { string postal_address = 6; int64 fax = 7; }
      Address billing = 8;
      message Address { string street = 1; }
      enum Tier { TIER_UNSPECIFIED = 0; GOLD = 1; }
    }`);

  it('lists every field with path, tags, doc, type and scalar kind', () => {
    expect(parsed.fields).toEqual([
      {
        path: 'Customer.email',
        name: 'email',
        doc: 'How we reach them.',
        tags: ['PII'],
        type: 'string',
        scalarKind: 'string',
      },
      {
        path: 'Customer.avatar',
        name: 'avatar',
        doc: 'Profile picture',
        tags: ['PII', 'IMAGE'],
        type: 'bytes',
        scalarKind: 'bytes',
      },
      { path: 'Customer.id', name: 'id', tags: [], type: 'int64', scalarKind: 'other' },
      {
        path: 'Customer.phone_numbers',
        name: 'phone_numbers',
        tags: [],
        type: 'repeated string',
        scalarKind: 'string',
      },
      {
        path: 'Customer.attributes',
        name: 'attributes',
        tags: [],
        type: 'map<string, string>',
        scalarKind: 'string',
      },
      {
        path: 'Customer.postal_address',
        name: 'postal_address',
        tags: [],
        type: 'string',
        scalarKind: 'string',
      },
      { path: 'Customer.fax', name: 'fax', tags: [], type: 'int64', scalarKind: 'other' },
      { path: 'Customer.billing', name: 'billing', tags: [], type: 'Address', scalarKind: 'other' },
      { path: 'Customer.Address.street', name: 'street', tags: [], type: 'string', scalarKind: 'string' },
    ]);
  });

  it('lists messages and enums by full name, with enum symbols', () => {
    expect(parsed.namedTypes).toEqual([
      { kind: 'message', name: 'shop.v1.Customer', path: 'Customer', doc: 'A customer of the shop.' },
      { kind: 'message', name: 'shop.v1.Customer.Address', path: 'Customer.Address' },
      {
        kind: 'enum',
        name: 'shop.v1.Customer.Tier',
        path: 'Customer.Tier',
        symbols: ['TIER_UNSPECIFIED', 'GOLD'],
      },
    ]);
    expect(parsed.referencedNames).toEqual(['confluent/meta.proto']);
    expect(parsed.type).toBe('PROTOBUF');
  });
});

describe('protobufFormat on a large schema', () => {
  it('parses, normalizes and compares hundreds of fields and deep nesting quickly', () => {
    const depth = 60;
    const fields = (prefix: string, n: number) =>
      Array.from(
        { length: n },
        (_, i) => `  ${['string', 'int64', 'bytes', 'double'][i % 4]} ${prefix}_${i} = ${i + 1};`,
      ).join('\n');
    let nested = '';
    for (let level = depth - 1; level >= 0; level--)
      nested = `message L${level} {\n${fields('f', 10)}\n${nested}}\n`;
    const flat = Array.from(
      { length: 200 },
      (_, m) => `message M${m} {\n${fields('g', 10)}\n  ${m > 0 ? `M${m - 1}` : 'L0'} prev = 20;\n}`,
    ).join('\n');
    const text = `syntax = "proto3";\npackage big;\nimport "google/protobuf/timestamp.proto";\n${nested}\n${flat}\n`;
    const started = performance.now();
    const v1 = parse(text);
    const v2 = parse(text.replace('string f_0 = 1;', 'bytes f_0 = 1;'), [], true);
    const issues = protobufFormat.checkCompatibility(v2, v1);
    const elapsed = performance.now() - started;
    expect(v1.fields).toHaveLength(depth * 10 + 200 * 11);
    expect(issues).toEqual([]);
    expect(
      protobufFormat
        .checkCompatibility(parse(text.replace('int64 f_1 = 2;', 'sint64 f_1 = 2;')), v1)
        .map((i) => i.path),
    ).toEqual(['#/L0/2']);
    expect(elapsed).toBeLessThan(3_000);
  });
});
