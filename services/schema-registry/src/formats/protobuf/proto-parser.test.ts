import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../schema-format.ts';
import type { MessageElement } from './proto-ast.ts';
import { parseProto } from './proto-parser.ts';

function message(text: string, index = 0): MessageElement {
  const type = parseProto(text).types[index];
  if (type?.kind !== 'message') throw new Error('expected a message');
  return type;
}

function errorOf(text: string): InvalidSchemaError {
  try {
    parseProto(text);
  } catch (e) {
    if (e instanceof InvalidSchemaError) return e;
    throw e;
  }
  throw new Error('expected an InvalidSchemaError');
}

describe('parseProto', () => {
  it('reads a proto3 file: package, imports, options, nested types, maps, oneofs, reserved, services', () => {
    const file = parseProto(`
      syntax = "proto3";
      package shop.v1;
      import "google/protobuf/timestamp.proto";
      import public "common.proto";
      option java_package = "com.shop";
      message Order {
        reserved 4, 8 to 10, 100 to max;
        reserved "legacy";
        string id = 1 [json_name = "orderId", deprecated = true];
        map<string, int32> counts = 2;
        repeated Line lines = 3;
        optional string note = 5;
        oneof payment { string card = 6; string iban = 7; }
        message Line { string sku = 1; }
        enum State { STATE_UNSPECIFIED = 0; OPEN = 1 [deprecated = true]; }
      }
      service Orders {
        rpc Get (Order) returns (stream Order);
        rpc Put (stream Order) returns (Order) { option deprecated = true; }
      }`);
    expect(file.syntax).toBe('proto3');
    expect(file.packageName).toBe('shop.v1');
    expect(file.imports).toEqual(['google/protobuf/timestamp.proto']);
    expect(file.publicImports).toEqual(['common.proto']);
    const order = file.types[0] as MessageElement;
    expect(order.fields.map((f) => [f.name, f.tag, f.label, f.type])).toEqual([
      ['id', 1, null, 'string'],
      ['counts', 2, null, 'map<string, int32>'],
      ['lines', 3, 'repeated', 'Line'],
      ['note', 5, 'optional', 'string'],
    ]);
    expect(order.fields[0]!.jsonName).toBe('orderId');
    expect(order.fields[0]!.options.map((o) => o.name)).toEqual(['deprecated']);
    expect(order.oneOfs[0]!.fields.map((f) => f.name)).toEqual(['card', 'iban']);
    expect(order.reserveds.flatMap((r) => r.values)).toEqual([
      { kind: 'tag', value: 4 },
      { kind: 'range', start: 8, end: 10 },
      { kind: 'range', start: 100, end: 536_870_911 },
      { kind: 'name', value: 'legacy' },
    ]);
    expect(order.nestedTypes.map((t) => `${t.kind} ${t.name}`)).toEqual(['message Line', 'enum State']);
    expect(file.services[0]!.rpcs.map((r) => [r.name, r.requestStreaming, r.responseStreaming])).toEqual([
      ['Get', false, true],
      ['Put', true, false],
    ]);
  });

  it('reads proto2: required, defaults, groups, extensions and extend blocks', () => {
    const file = parseProto(`
      syntax = "proto2";
      message Money {
        required int64 cents = 1 [default = 0];
        optional string currency = 2 [default = "EUR"];
        optional group Rate = 3 { optional double value = 1; }
        extensions 100 to 199;
      }
      extend Money { optional string memo = 100; }`);
    const money = file.types[0] as MessageElement;
    expect(money.fields.map((f) => [f.label, f.defaultValue])).toEqual([
      ['required', '0'],
      ['optional', 'EUR'],
    ]);
    expect(money.groups[0]).toMatchObject({ name: 'Rate', tag: 3, label: 'optional' });
    expect(file.extendDeclarations[0]!.fields[0]!.name).toBe('memo');
  });

  it('keeps leading and trailing comments as documentation', () => {
    const m = message(`syntax = "proto3";
      // A customer.
      message Customer {
        // Where we write to them.
        string email = 1;
        int64 id = 2; // internal id
        /* Shown on invoices. */
        string name = 3;
      }`);
    expect(m.doc).toBe('A customer.');
    expect(m.fields.map((f) => f.doc)).toEqual([
      'Where we write to them.',
      'internal id',
      'Shown on invoices.',
    ]);
  });

  it('reads custom options and text-format literals, merging repeated keys into a list', () => {
    const m = message(`syntax = "proto3";
      message M {
        string a = 1 [(confluent.field_meta).tags = "PII"];
        string b = 2 [(confluent.field_meta) = { doc: "b" tags: ["PII", "EMAIL"] }];
        string c = 3 [(x) = { n: 1, n: [2, 3], sub { k: -1.5e3 } }];
      }`);
    expect(m.fields[0]!.options[0]).toEqual({
      name: 'confluent.field_meta',
      parenthesized: true,
      value: {
        kind: 'option',
        value: { name: 'tags', parenthesized: false, value: { kind: 'string', value: 'PII' } },
      },
    });
    const c = m.fields[2]!.options[0]!.value;
    expect(c.kind).toBe('map');
    if (c.kind !== 'map') return;
    expect(c.value.get('n')).toEqual({
      kind: 'list',
      value: [
        { kind: 'number', value: '1' },
        { kind: 'number', value: '2' },
        { kind: 'number', value: '3' },
      ],
    });
    expect(c.value.get('sub')).toEqual({
      kind: 'map',
      value: new Map([['k', { kind: 'number', value: '-1.5e3' }]]),
    });
  });

  it.each([
    ['syntax = "proto3"\nmessage A {}', '2:1', "expected ';'"],
    ['syntax = "proto3";\nmessage A { string a = 1 }', '2:26', "expected ';'"],
    ['syntax = "proto4";', '1:1', 'unexpected syntax'],
    ['package a;\nsyntax = "proto3";', '2:1', 'first declaration'],
    ['edition = "2023";', '1:1', 'editions are not supported'],
    ['syntax = "proto3";\nfoo Bar {}', '2:1', "unexpected 'foo'"],
    ['message A { string a = 1; }', '1:13', 'proto2 fields need a label'],
    [
      'syntax = "proto3";\nmessage A { required string a = 1; }',
      '2:13',
      "'required' fields are not allowed in proto3",
    ],
    [
      'syntax = "proto3";\nmessage A { repeated map<string, string> a = 1; }',
      '2:13',
      "'map' field cannot have a label",
    ],
    ['syntax = "proto3";\nmessage A { oneof o { optional string a = 1; } }', '2:23', 'cannot have a label'],
    ['syntax = "proto3";\nmessage A { string a = 1 [(x) = "open; }', '2:33', 'unterminated string'],
    ['syntax = "proto3";\n/* never closed', '2:1', 'unterminated /* comment'],
    ['syntax = "proto3";\nmessage A { string a = 1; } @', '2:29', "unexpected character '@'"],
    ['syntax = "proto3";\nmessage A { string a = 99999999999; }', '2:24', 'out of range'],
    ['syntax = "proto3";\nmessage A { string a = one; }', '2:24', 'expected a field number'],
    ['syntax = "proto3";\nmessage A {', '2:12', 'found end of input'],
  ])('refuses %j at %s', (text, path, message) => {
    const error = errorOf(text);
    expect(error.path).toBe(path);
    expect(error.message).toContain(message);
  });

  it('refuses messages nested too deeply instead of overflowing the stack', () => {
    const depth = 200;
    const text = `syntax = "proto3";\n${'message M { '.repeat(depth)}${'}'.repeat(depth)}`;
    expect(errorOf(text).message).toContain('nest deeper than');
  });

  it('refuses option literals nested too deeply', () => {
    const text = `syntax = "proto3";\noption (x) = ${'{ a: '.repeat(100)}1${' }'.repeat(100)};`;
    expect(errorOf(text).message).toContain('nest deeper than');
  });
});
