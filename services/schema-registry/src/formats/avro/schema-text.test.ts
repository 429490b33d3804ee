import { describe, expect, it } from 'vitest';
import { avroFormat, avroSchemaText } from './index.ts';

const text = (schema: unknown, references: Parameters<typeof avroFormat.parse>[1] = []) =>
  avroSchemaText(
    avroFormat.parse(typeof schema === 'string' ? schema : JSON.stringify(schema), references, {
      normalize: false,
    }),
  );

describe("Avro's Schema.toString(), Confluent's stored text", () => {
  it('writes an attribute-less primitive as its name (Confluent serves "string" for {"type": "string"})', () => {
    expect(text('{"type": "string"}')).toBe('"string"');
    expect(text({ type: 'long', logicalType: 'timestamp-millis' })).toBe(
      '{"type":"long","logicalType":"timestamp-millis"}',
    );
  });

  it('puts attributes in Avro’s order and names relative to the enclosing namespace', () => {
    expect(
      text({
        fields: [
          { type: 'string', name: 'f1', default: 'x', doc: 'one' },
          { name: 'e', type: { symbols: ['A'], name: 'E', type: 'enum', default: 'A' } },
          { name: 'e2', type: 'E' },
          {
            name: 'o',
            type: {
              type: 'record',
              name: 'other.O',
              fields: [{ name: 'back', type: ['null', 'a.R'], default: null }],
            },
          },
          { name: 'd', type: 'double', default: 1.5, 'confluent:tags': ['PII'] },
        ],
        name: 'R',
        type: 'record',
        namespace: 'a',
        aliases: ['a.Old', 'b.Older'],
      }),
    ).toBe(
      '{"type":"record","name":"R","namespace":"a","fields":[' +
        '{"name":"f1","type":"string","doc":"one","default":"x"},' +
        '{"name":"e","type":{"type":"enum","name":"E","symbols":["A"],"default":"A"}},' +
        '{"name":"e2","type":"E"},' +
        '{"name":"o","type":{"type":"record","name":"O","namespace":"other","fields":[{"name":"back","type":["null","a.R"],"default":null}]}},' +
        '{"name":"d","type":"double","default":1.5,"confluent:tags":["PII"]}' +
        '],"aliases":["Old","b.Older"]}',
    );
  });

  it('writes types from references by name', () => {
    const refs = [
      {
        name: 'x.A',
        subject: 'a',
        version: 1,
        references: [],
        schema: '{"type":"fixed","name":"A","namespace":"x","size":2}',
      },
    ];
    expect(
      text({ type: 'record', name: 'R', namespace: 'x', fields: [{ name: 'a', type: 'A' }] }, refs),
    ).toBe('{"type":"record","name":"R","namespace":"x","fields":[{"name":"a","type":"A"}]}');
  });

  it('reads back as the same schema', () => {
    const original = {
      type: 'record',
      name: 'R',
      namespace: 'n',
      fields: [{ name: 'x', type: { type: 'map', values: ['null', 'R'] } }],
    };
    const once = text(original);
    expect(text(once)).toBe(once);
  });
});
