import { describe, expect, it } from 'vitest';
import { checkAgainstLevel } from '../../registry/compatibility-levels.ts';
import { avroFormat } from './index.ts';
import { AVRO_COMPATIBILITY_CASES } from './fixtures/avro-compatibility-cases.ts';
import { CONFLUENT_CASES, CONFLUENT_SCHEMAS } from './fixtures/confluent-compatibility-cases.ts';

const parse = (schema: unknown) =>
  avroFormat.parse(
    typeof schema === 'string' && /^\s*[{["]/.test(schema) ? schema : JSON.stringify(schema),
    [],
    {
      normalize: false,
    },
  );

describe("Apache Avro's SchemaCompatibility cases", () => {
  it.each(AVRO_COMPATIBILITY_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const issues = avroFormat.checkCompatibility(parse(c.reader), parse(c.writer));
    expect(issues.map((i) => ({ type: i.rule, location: i.path }))).toEqual(
      c.expected.map((e) => ({ type: e.type, location: e.location })),
    );
    c.expected.forEach((e, n) => {
      // Java's message is the detail; ours names the rule and the path around it.
      expect(issues[n]?.message).toContain(e.message);
      expect(issues[n]?.message).toContain(`${e.type} at '${e.location}'`);
    });
  });

  it('transcribes every published list (a guard against losing cases)', () => {
    const compatible = AVRO_COMPATIBILITY_CASES.filter((c) => c.expected.length === 0).length;
    expect(compatible).toBeGreaterThanOrEqual(70);
    expect(AVRO_COMPATIBILITY_CASES.length - compatible).toBeGreaterThanOrEqual(60);
  });
});

describe("Confluent's AvroCompatibilityTest cases, through the registry's levels", () => {
  it.each(
    CONFLUENT_CASES.map(
      (c) => [`${c.test}: ${c.message} (${c.candidate} vs ${c.previous.join(', ')})`, c] as const,
    ),
  )('%s', (_name, c) => {
    const issues = checkAgainstLevel(
      avroFormat,
      c.level,
      parse(CONFLUENT_SCHEMAS[c.candidate]),
      c.previous.map((p) => parse(CONFLUENT_SCHEMAS[p])),
    );
    expect(issues.length === 0).toBe(c.compatible);
  });
});

describe('rules beyond the published cases', () => {
  const rec = (fields: unknown[], extra: Record<string, unknown> = {}) => ({
    type: 'record',
    name: 'R',
    fields,
    ...extra,
  });

  it('matches a renamed record through its aliases, resolved against its namespace', () => {
    const writer = parse({ type: 'record', name: 'Old', namespace: 'a.b', fields: [] });
    expect(
      avroFormat.checkCompatibility(
        parse({ type: 'record', name: 'New', namespace: 'a.b', aliases: ['Old'], fields: [] }),
        writer,
      ),
    ).toEqual([]);
    expect(
      avroFormat
        .checkCompatibility(
          parse({ type: 'record', name: 'New', namespace: 'c', aliases: ['Old'], fields: [] }),
          writer,
        )
        .map((i) => i.rule),
    ).toEqual(['NAME_MISMATCH']);
    expect(
      avroFormat.checkCompatibility(
        parse({ type: 'record', name: 'New', namespace: 'c', aliases: ['a.b.Old'], fields: [] }),
        writer,
      ),
    ).toEqual([]);
  });

  it('reports a reader field that matches two writer fields by name and alias, as Java throws and Confluent refuses', () => {
    const reader = parse(rec([{ name: 'a', type: 'int', aliases: ['b'] }]));
    const writer = parse(
      rec([
        { name: 'a', type: 'int' },
        { name: 'b', type: 'int' },
      ]),
    );
    expect(avroFormat.checkCompatibility(reader, writer).map((i) => i.rule)).toEqual([
      'READER_FIELD_MATCHES_MULTIPLE_WRITER_FIELDS',
    ]);
  });

  it('terminates on mutually recursive types and still finds a difference deep inside', () => {
    const tree = (leaf: string) => ({
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'value', type: leaf },
        { name: 'children', type: { type: 'array', items: 'Node' } },
        {
          name: 'parent',
          type: ['null', { type: 'record', name: 'Edge', fields: [{ name: 'to', type: 'Node' }] }],
          default: null,
        },
      ],
    });
    expect(avroFormat.checkCompatibility(parse(tree('long')), parse(tree('int')))).toEqual([]);
    expect(avroFormat.checkCompatibility(parse(tree('int')), parse(tree('long'))).map((i) => i.path)).toEqual(
      ['/fields/0/type'],
    );
  });

  it('ignores logical types, as SchemaCompatibility does', () => {
    const reader = parse({ type: 'long', logicalType: 'timestamp-millis' });
    expect(avroFormat.checkCompatibility(reader, parse('"long"'))).toEqual([]);
    expect(
      avroFormat.checkCompatibility(
        parse({ type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 }),
        parse({ type: 'bytes', logicalType: 'decimal', precision: 9, scale: 1 }),
      ),
    ).toEqual([]);
  });

  it('compares types from references like the schema’s own', () => {
    const ref = (symbols: string[]) => [
      {
        name: 'shop.Status',
        subject: 'status',
        version: 1,
        schema: JSON.stringify({ type: 'enum', name: 'Status', namespace: 'shop', symbols }),
        references: [],
      },
    ];
    const order = JSON.stringify({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [{ name: 'status', type: 'Status' }],
    });
    const v1 = avroFormat.parse(order, ref(['NEW', 'PAID']), { normalize: false });
    const v2 = avroFormat.parse(order, ref(['NEW']), { normalize: false });
    expect(avroFormat.checkCompatibility(v2, v1)).toMatchObject([
      { rule: 'MISSING_ENUM_SYMBOLS', path: '/fields/0/type/symbols' },
    ]);
    expect(avroFormat.checkCompatibility(v1, v2)).toEqual([]);
  });

  it('answers SCHEMA_TYPE_CHANGED against another format’s schema', () => {
    const other = { ...parse('"string"'), type: 'JSON' as const, model: {} };
    expect(avroFormat.checkCompatibility(parse('"string"'), other)[0]?.rule).toBe('SCHEMA_TYPE_CHANGED');
  });
});
