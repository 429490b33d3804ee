import { describe, expect, it } from 'vitest';
import { decimalText, decodeDecimals } from './decimals.ts';

describe('Connect decimals', () => {
  it('decodes big-endian two complement bytes with a scale', () => {
    expect(decimalText(Buffer.from([0x07, 0x5b, 0xcd, 0x15]), 2)).toBe('1234567.89');
    expect(decimalText(Buffer.from([0xff]), 2)).toBe('-0.01');
    expect(decimalText(Buffer.from([0x00]), 0)).toBe('0');
    expect(decimalText(Buffer.from([0x01, 0x00]), 3)).toBe('0.256');
  });

  it('rewrites Decimal and VariableScaleDecimal columns of a row, leaves others', () => {
    const row = decodeDecimals(
      {
        a: Buffer.from([0x30, 0x39]).toString('base64'),
        b: { scale: 1, value: Buffer.from([0x7b]).toString('base64') },
        c: 'x',
      },
      {
        type: 'struct',
        fields: [
          {
            type: 'bytes',
            field: 'a',
            name: 'org.apache.kafka.connect.data.Decimal',
            parameters: { scale: '2' },
          },
          { type: 'struct', field: 'b', name: 'io.debezium.data.VariableScaleDecimal' },
          { type: 'string', field: 'c' },
        ],
      },
    );
    expect(row).toEqual({ a: '123.45', b: '12.3', c: 'x' });
  });
});
