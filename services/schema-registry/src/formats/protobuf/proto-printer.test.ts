import { describe, expect, it } from 'vitest';
import { CANONICAL_EXAMPLES } from './fixtures/confluent-canonical-examples.ts';
import { protobufFormat } from './protobuf-format.ts';

const refs = (list: Array<{ name: string; schema: string }> = []) =>
  list.map((r) => ({ ...r, subject: r.name, version: 1, references: [] }));

describe("canonical and normalized text, as Confluent's ProtobufSchemaTest pins them", () => {
  for (const example of CANONICAL_EXAMPLES) {
    it(example.name, () => {
      const canonical = protobufFormat.parse(example.schema, refs(example.references), {
        normalize: false,
      }).canonical;
      expect(canonical).toBe(example.canonical);
      if (example.normalized === undefined) return;
      const normalized = protobufFormat.parse(example.schema, refs(example.references), {
        normalize: true,
      }).canonical;
      expect(normalized).toBe(example.normalized);
      // Normalizing is idempotent: the normalized text normalizes to itself.
      expect(protobufFormat.parse(normalized, refs(example.references), { normalize: true }).canonical).toBe(
        normalized,
      );
    });
  }
});

describe('canonical text', () => {
  it('ignores comments, whitespace and layout, so reformatted schemas get the same identity', () => {
    const a =
      'syntax = "proto3";\npackage shop;\n// a customer\nmessage Customer { string email = 1; int64 id = 2; }';
    const b =
      'syntax="proto3"; package shop;\n\nmessage Customer {\n  string email = 1;  // their email\n  int64 id = 2;\n}\n';
    const parse = (text: string) => protobufFormat.parse(text, [], { normalize: false }).canonical;
    expect(parse(a)).toBe(parse(b));
    expect(parse(a)).toBe(
      'syntax = "proto3";\npackage shop;\n\nmessage Customer {\n  string email = 1;\n  int64 id = 2;\n}\n',
    );
  });

  it('keeps declaration order unless normalized; normalizing sorts fields, imports and options but not messages', () => {
    const text = [
      'syntax = "proto3";',
      'import "google/protobuf/timestamp.proto";',
      'import "google/protobuf/duration.proto";',
      'option java_package = "x";',
      'option go_package = "y";',
      'message B { int32 two = 2; int32 one = 1; google.protobuf.Timestamp at = 3; }',
      'message A { map<string, B> bs = 1; }',
    ].join('\n');
    const plain = protobufFormat.parse(text, [], { normalize: false }).canonical;
    const normalized = protobufFormat.parse(text, [], { normalize: true }).canonical;
    expect(plain.indexOf('two')).toBeLessThan(plain.indexOf('one'));
    expect(normalized).toBe(
      [
        'syntax = "proto3";',
        '',
        'import "google/protobuf/duration.proto";',
        'import "google/protobuf/timestamp.proto";',
        '',
        'option go_package = "y";',
        'option java_package = "x";',
        '',
        'message B {',
        '  int32 one = 1;',
        '  int32 two = 2;',
        '  .google.protobuf.Timestamp at = 3;',
        '}',
        'message A {',
        '  map<string, .B> bs = 1;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('escapes option strings as Confluent does (testOptionEscape)', () => {
    const text = String.raw`syntax = "proto3";
option java_outer_classname = "TestOptionEscape";
option testBackslash = "backslash\\backslash";
option testDoubleQuote = "\"something\"";
option testSingleQuote = "\'something\'";
option testNewline = "newline\n";
option testBell = "bell\a";
option testTab = "tab\t";
option testVerticalTab = "verticalTab\v";
import "google/protobuf/descriptor.proto";
message TestOptionEscape {
    option (source_ref) = "https://someUrl.com";
    bool test_bool = 1;
}`;
    const canonical = protobufFormat.parse(text, [], { normalize: false }).canonical;
    for (const expected of [
      String.raw`backslash\\backslash`,
      String.raw`\"something\"`,
      String.raw`\'something\'`,
      String.raw`newline\n`,
      String.raw`bell\a`,
      String.raw`tab\t`,
      String.raw`verticalTab\v`,
      'option (source_ref) = "https://someUrl.com";',
    ]) {
      expect(canonical).toContain(expected);
    }
  });

  it('keeps repeated custom options with enum values (testEnumOption)', () => {
    const text = [
      'import "google/protobuf/descriptor.proto";',
      'enum FooParameterType {',
      '   NUMBER = 1;',
      '   STRING = 2;',
      '}',
      'message FooOptions {',
      '  optional string name = 1;',
      '  optional FooParameterType type = 2; ',
      '} ',
      'extend google.protobuf.MessageOptions {',
      '  repeated FooOptions foo = 12345;',
      '}',
      'message Message {',
      '  option (foo) = {',
      '    name: "test"',
      '    type: STRING',
      '  };',
      '  option (foo) = {',
      '    name: "test2"',
      '    type: NUMBER',
      '  };',
      '  optional int32 b = 2;',
      '}',
    ].join('\n');
    for (const normalize of [false, true]) {
      const canonical = protobufFormat.parse(text, [], { normalize }).canonical;
      expect(canonical).toContain('type: STRING');
      expect(canonical).toContain('type: NUMBER');
    }
  });
});
