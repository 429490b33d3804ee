import { describe, expect, it } from 'vitest';
import type { AvroModel } from './avro-model.ts';
import { parsingCanonicalForm } from './canonical-form.ts';
import { avroFormat } from './index.ts';
import { javaDouble, javaFloat } from './java-numbers.ts';
import {
  CASE_026_AS_WRITTEN,
  PARSING_CANONICAL_FORM_CASES,
} from './fixtures/parsing-canonical-form-cases.ts';

const parse = (text: string, normalize = false, references: Parameters<typeof avroFormat.parse>[1] = []) =>
  avroFormat.parse(text, references, { normalize });
const pcf = (text: string) => parsingCanonicalForm((parse(text).model as AvroModel).root);

/** CRC-64-AVRO, the fingerprint the spec defines over the canonical form's UTF-8 bytes. */
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp;
});
function fingerprint64(text: string): bigint {
  let fp = EMPTY;
  for (const b of Buffer.from(text, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)]!;
  return BigInt.asIntN(64, fp);
}

describe("Avro's Parsing Canonical Form (share/test/data/schema-tests.txt)", () => {
  it.each(PARSING_CANONICAL_FORM_CASES.map((c) => [c.id, c] as const))('case %s', (_id, c) => {
    const canonical = pcf(c.input);
    expect(canonical).toBe(c.canonical);
    if (c.fingerprint) expect(fingerprint64(canonical)).toBe(BigInt(c.fingerprint));
  });

  it('case 026 as written has a string default for a boolean, which validated parsing refuses', () => {
    expect(() => parse(CASE_026_AS_WRITTEN)).toThrow(
      /invalid default for field 'f1': "true" is not a valid boolean/,
    );
  });

  it('writes a named type out once and by full name afterwards, across namespaces', () => {
    const text = JSON.stringify({
      type: 'record',
      name: 'Outer',
      namespace: 'a',
      fields: [
        { name: 'x', type: { type: 'fixed', name: 'F', namespace: 'b', size: 2 } },
        { name: 'y', type: 'b.F' },
        { name: 'z', type: { type: 'array', items: { type: 'map', values: 'Outer' } } },
      ],
    });
    expect(pcf(text)).toBe(
      '{"name":"a.Outer","type":"record","fields":[{"name":"x","type":{"name":"b.F","type":"fixed","size":2}},' +
        '{"name":"y","type":"b.F"},{"name":"z","type":{"type":"array","items":{"type":"map","values":"a.Outer"}}}]}',
    );
  });
});

describe("identity text without normalize: Confluent's canonicalString() (Avro's Schema.toString())", () => {
  it('drops whitespace and comments and writes values as Java does', () => {
    const text =
      '{ "type" : "record", /* c */ "name":"R",\n "fields": [ {"name":"a","type":"double","default":1.50} ] } // end';
    expect(parse(text).canonical).toBe(
      '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1.5}]}',
    );
  });

  it('makes spellings Avro parses alike one schema, as Confluent compares canonicalString()', () => {
    expect(parse('{"type":"string"}').canonical).toBe(parse('"string"').canonical);
    expect(parse('{"name":"R","type":"record","fields":[]}').canonical).toBe(
      parse('{"type":"record","fields":[],"name":"R"}').canonical,
    );
    // Doc strings are kept: unlike normalize, canonicalString() is not the Parsing Canonical Form.
    expect(parse('{"type":"record","name":"R","doc":"x","fields":[]}').canonical).not.toBe(
      parse('{"type":"record","name":"R","fields":[]}').canonical,
    );
  });
});

describe("identity text with normalize: Confluent's normalized form (AvroSchemaUtils.toNormalizedString)", () => {
  const norm = (schema: unknown, references: Parameters<typeof avroFormat.parse>[1] = []) =>
    parse(typeof schema === 'string' ? schema : JSON.stringify(schema), true, references).canonical;

  it('makes spellings of one schema equal: attribute order, primitive objects, namespaces, whitespace', () => {
    const a = norm({
      type: 'record',
      name: 'Customer',
      namespace: 'shop',
      fields: [{ name: 'id', type: { type: 'long' } }],
    });
    const b = norm('{"fields":[{"type":"long","name":"id"}],"name":"shop.Customer","type":"record"}');
    expect(a).toBe(b);
    expect(a).toBe('{"name":"shop.Customer","type":"record","fields":[{"name":"id","type":"long"}]}');
  });

  it('keeps doc, aliases (sorted), defaults, enum defaults, order and logical types', () => {
    const text = norm({
      type: 'record',
      name: 'R',
      doc: 'a record',
      aliases: ['Z', 'B'],
      fields: [
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'when' },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
        {
          name: 'kind',
          type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'], default: 'A' },
          default: 'B',
        },
        { name: 'rank', type: 'int', order: 'descending', aliases: ['position'] },
      ],
    });
    expect(text).toBe(
      '{"name":"R","type":"record","fields":[' +
        '{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"},"doc":"when"},' +
        '{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},' +
        '{"name":"kind","type":{"name":"Kind","type":"enum","symbols":["A","B"],"default":"A"},"default":"B"},' +
        '{"name":"rank","type":"int","order":"descending","aliases":["position"]}' +
        '],"doc":"a record","aliases":["B","Z"]}',
    );
  });

  it('keeps other attributes, sorted by name, including those of primitives (Confluent issue #2473)', () => {
    const text = norm({
      type: 'record',
      name: 'Value',
      'connect.name': 'some.scope.Value',
      fields: [
        {
          name: 'created_at',
          'confluent:tags': ['PII'],
          type: { 'connect.version': 1, 'connect.name': 'io.debezium.time.Timestamp', type: 'long' },
        },
      ],
    });
    expect(text).toBe(
      '{"name":"Value","type":"record","fields":[{"name":"created_at","type":{"type":"long",' +
        '"connect.name":"io.debezium.time.Timestamp","connect.version":1},"confluent:tags":["PII"]}],' +
        '"connect.name":"some.scope.Value"}',
    );
  });

  it('writes defaults as Java values: doubles and floats as Java prints them, object keys sorted', () => {
    const text = norm({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'd', type: 'double', default: 1 },
        { name: 'f', type: 'float', default: 0.1 },
        { name: 'big', type: 'double', default: 12345678.9 },
        { name: 'm', type: { type: 'map', values: 'double' }, default: { b: 2, a: 1.5 } },
        { name: 'u', type: ['null', 'string'], default: null },
        { name: 's', type: 'double', default: 'NaN' },
      ],
    });
    expect(text).toContain('{"name":"d","type":"double","default":1.0}');
    expect(text).toContain('{"name":"f","type":"float","default":0.1}');
    expect(text).toContain('{"name":"big","type":"double","default":1.23456789E7}');
    expect(text).toContain('"default":{"a":1.5,"b":2.0}');
    expect(text).toContain('{"name":"u","type":["null","string"],"default":null}');
    expect(text).toContain('{"name":"s","type":"double","default":"NaN"}');
    expect(norm({ type: 'record', name: 'R', fields: [{ name: 'd', type: 'double', default: 1.0 }] })).toBe(
      norm({ type: 'record', name: 'R', fields: [{ name: 'd', type: 'double', default: 1 }] }),
    );
  });

  it('drops a default Java cannot convert for the union’s first branch, as Confluent does', () => {
    const text = norm({
      type: 'record',
      name: 'R',
      fields: [{ name: 'f1', type: ['null', 'string'], default: 'null' }],
    });
    expect(text).toBe('{"name":"R","type":"record","fields":[{"name":"f1","type":["null","string"]}]}');
  });

  it('writes types from references by name, as Confluent seeds its table with them', () => {
    const refs = [
      {
        name: 'shop.Address',
        subject: 'address',
        version: 1,
        references: [],
        schema: JSON.stringify({
          type: 'record',
          name: 'Address',
          namespace: 'shop',
          fields: [{ name: 'city', type: 'string' }],
        }),
      },
    ];
    expect(
      norm(
        { type: 'record', name: 'Customer', namespace: 'shop', fields: [{ name: 'home', type: 'Address' }] },
        refs,
      ),
    ).toBe('{"name":"shop.Customer","type":"record","fields":[{"name":"home","type":"shop.Address"}]}');
  });
});

describe('Java number printing', () => {
  it.each([
    [1, '1.0'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1234567.5, '1234567.5'],
    [1e7, '1.0E7'],
    [-2.5e-10, '-2.5E-10'],
    [0, '0.0'],
    [-0, '-0.0'],
    [Infinity, 'Infinity'],
  ])('Double.toString(%d) = %s', (x, s) => expect(javaDouble(x)).toBe(s));

  it.each([
    [0.1, '0.1'],
    [1 / 3, '0.33333334'],
    [16777217, '1.6777216E7'],
  ])('Float.toString(%d) = %s', (x, s) => expect(javaFloat(x)).toBe(s));
});
