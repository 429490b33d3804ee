import { describe, expect, it } from 'vitest';
import type { ParsedSchema, ResolvedReference } from '../../schema-format.ts';
import { protobufFormat } from '../protobuf-format.ts';

const proto = (body: string, references: ResolvedReference[] = []) =>
  protobufFormat.parse(`syntax = "proto3";\npackage shop;\n${body}`, references, { normalize: false });

/** BACKWARD: can `next` read what `previous` wrote? */
const backward = (previous: ParsedSchema, next: ParsedSchema) =>
  protobufFormat.checkCompatibility(next, previous);
const rules = (issues: Array<{ rule: string }>) => issues.map((i) => i.rule);

const field = (type: string, label = '') => proto(`message Customer { ${label}${type} value = 2; }`);
const enumSchema = (type: string) =>
  proto(`enum Tier { TIER_UNSPECIFIED = 0; GOLD = 1; }\nmessage Customer { ${type} value = 2; }`);

describe('field type changes (by wire-compatible group)', () => {
  it.each([
    ['int32', 'int64'],
    ['int32', 'uint32'],
    ['uint64', 'bool'],
    ['sint32', 'sint64'],
    ['fixed32', 'sfixed32'],
    ['fixed64', 'sfixed64'],
    ['string', 'bytes'],
  ])('%s to %s is compatible', (from, to) => {
    expect(backward(field(from), field(to))).toEqual([]);
  });

  it.each([
    ['int32', 'sint32'],
    ['int64', 'fixed64'],
    ['fixed32', 'float'],
    ['float', 'double'],
    ['string', 'int32'],
    ['bytes', 'fixed64'],
  ])('%s to %s is FIELD_SCALAR_KIND_CHANGED', (from, to) => {
    const issues = backward(field(from), field(to));
    expect(rules(issues)).toEqual(['FIELD_SCALAR_KIND_CHANGED']);
    expect(issues[0]!.path).toBe('#/Customer/2');
    expect(issues[0]!.message).toContain(
      `field 'value' (2) of message 'shop.Customer' is ${from} in the writer schema but ${to}`,
    );
  });

  it('treats an enum as a varint: compatible with int32, not with sint32', () => {
    expect(backward(enumSchema('int32'), enumSchema('Tier'))).toEqual([]);
    expect(rules(backward(enumSchema('Tier'), enumSchema('sint32')))).toEqual(['FIELD_SCALAR_KIND_CHANGED']);
  });

  it('refuses message to bytes as FIELD_KIND_CHANGED, as Confluent does', () => {
    const asMessage = proto(
      'message Address { string street = 1; }\nmessage Customer { Address value = 2; }',
    );
    const asBytes = proto('message Address { string street = 1; }\nmessage Customer { bytes value = 2; }');
    expect(rules(backward(asMessage, asBytes))).toEqual(['FIELD_KIND_CHANGED']);
  });

  it('allows a renamed field but not a reused number with another type', () => {
    expect(
      backward(proto('message C { string email = 1; }'), proto('message C { string mail = 1; }')),
    ).toEqual([]);
    expect(
      rules(backward(proto('message C { string email = 1; }'), proto('message C { int64 id = 1; }'))),
    ).toEqual(['FIELD_SCALAR_KIND_CHANGED']);
  });

  it('refuses a numeric field becoming repeated; allows it for strings', () => {
    expect(rules(backward(field('int32', 'optional '), field('int32', 'repeated ')))).toEqual([
      'FIELD_NUMERIC_LABEL_CHANGED',
    ]);
    expect(backward(field('string', 'optional '), field('string', 'repeated '))).toEqual([]);
  });
});

describe('messages, oneofs and directions', () => {
  it('refuses a removed message, and accepts added and reordered ones', () => {
    const two = proto('message A { int32 a = 1; }\nmessage B { int32 b = 1; }');
    expect(rules(backward(two, proto('message A { int32 a = 1; }')))).toEqual(['MESSAGE_REMOVED']);
    expect(backward(proto('message A { int32 a = 1; }'), two)).toEqual([]);
    expect(backward(two, proto('message B { int32 b = 1; }\nmessage A { int32 a = 1; }'))).toEqual([]);
  });

  it('accepts a package change (Confluent compares type names without the package)', () => {
    const foo = protobufFormat.parse('syntax = "proto3";\npackage foo;\nmessage A { int32 a = 1; }', [], {
      normalize: false,
    });
    const bar = protobufFormat.parse('syntax = "proto3";\npackage bar;\nmessage A { int32 a = 1; }', [], {
      normalize: false,
    });
    expect(backward(foo, bar)).toEqual([]);
  });

  it('accepts moving a field out of a oneof, and compares its type even then', () => {
    const inOneOf = proto('message M { oneof o { string a = 1; string b = 2; } }');
    expect(backward(inOneOf, proto('message M { string a = 1; oneof o { string b = 2; } }'))).toEqual([]);
    expect(rules(backward(inOneOf, proto('message M { int64 a = 1; oneof o { string b = 2; } }')))).toEqual([
      'FIELD_SCALAR_KIND_CHANGED',
    ]);
  });

  it('reads the required-field rules in both directions', () => {
    const before = protobufFormat.parse('syntax = "proto2";\nmessage M { optional string a = 1; }', [], {
      normalize: false,
    });
    const after = protobufFormat.parse(
      'syntax = "proto2";\nmessage M { optional string a = 1; required string b = 2; }',
      [],
      {
        normalize: false,
      },
    );
    expect(rules(backward(before, after))).toEqual(['REQUIRED_FIELD_ADDED']);
    // FORWARD is BACKWARD the other way round: the old schema reads new data.
    expect(rules(protobufFormat.checkCompatibility(before, after))).toEqual(['REQUIRED_FIELD_REMOVED']);
  });

  it('refuses removing a oneof member backward, accepts it forward', () => {
    const three = proto('message M { oneof o { string a = 1; string b = 2; int32 c = 3; } }');
    const two = proto('message M { oneof o { string a = 1; string b = 2; } }');
    expect(rules(backward(three, two))).toEqual(['ONEOF_FIELD_REMOVED']);
    expect(protobufFormat.checkCompatibility(three, two)).toEqual([]);
  });

  it('compares a referenced message when its reference version changes, and stops on recursive types', () => {
    const node = (valueType: string, version: number) => ({
      name: 'node.proto',
      subject: 'node',
      version,
      schema: `syntax = "proto3";\npackage tree;\nmessage Node { ${valueType} value = 1; Node child = 2; repeated Node children = 3; }`,
      references: [],
    });
    const v1 = proto('import "node.proto";\nmessage Tree { tree.Node root = 1; }', [node('int32', 1)]);
    const v2 = proto('import "node.proto";\nmessage Tree { tree.Node root = 1; }', [node('string', 2)]);
    const issues = backward(v1, v2);
    expect(issues.map((i) => `${i.rule} ${i.path}`)).toEqual([
      'FIELD_SCALAR_KIND_CHANGED #/Node/1',
      'FIELD_NAMED_TYPE_CHANGED #/Tree/1',
    ]);
    expect(issues[1]!.message).toContain('Keep the field pointing at the same message');
    expect(
      backward(v1, proto('import "node.proto";\nmessage Tree { tree.Node root = 1; }', [node('int64', 2)])),
    ).toEqual([]);
  });

  it('says so when the other schema is not Protobuf', () => {
    const other: ParsedSchema = { ...field('int32'), type: 'AVRO', model: null };
    expect(rules(protobufFormat.checkCompatibility(field('int32'), other))).toEqual(['SCHEMA_TYPE_CHANGED']);
  });
});

describe('oneof merges', () => {
  it('refuses merging two oneofs into one, naming neither a moved field', () => {
    const two = proto('message M { oneof a { string x = 1; } oneof b { string y = 2; } }');
    const one = proto('message M { oneof a { string x = 1; string y = 2; } }');
    const issues = backward(two, one);
    expect(rules(issues)).toEqual(['FIELD_MOVED_TO_EXISTING_ONEOF']); // ONEOF_REMOVED b is compatible
    expect(issues[0]!.message).toContain('joins fields of several oneofs');
  });
});
