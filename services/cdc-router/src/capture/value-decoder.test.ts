import { describe, expect, it } from 'vitest';
import { TOAST_PLACEHOLDER } from '@data-spine/contracts';
import {
  Oid,
  dateToEpochDays,
  intervalToMicros,
  isUnavailableValue,
  unavailableValue,
  valueDecoder,
} from './value-decoder.ts';

const dec = (oid: number, text: string, typmod = -1) => valueDecoder(oid, typmod)(text);

describe('valueDecoder (Debezium encodings, decimal.handling.mode=string)', () => {
  it('matches the encodings of the recorded Debezium fixtures', () => {
    // packages/contracts/test/fixtures/debezium/customer-with-schemas.json
    expect(dec(Oid.timestamptz, '2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05.000000Z');
    expect(dec(Oid.numeric, '1234567.89')).toBe('1234567.89');
    expect(dec(Oid.numeric, '42.00')).toBe('42.00');
    expect(dec(Oid.uuid, '00000000-0000-4000-8000-000000000001')).toBe(
      '00000000-0000-4000-8000-000000000001',
    );
    expect(dec(Oid.int4, '1')).toBe(1);
  });

  it('encodes times as Debezium does with time.precision.mode=adaptive', () => {
    expect(dec(Oid.date, '1970-01-01')).toBe(0);
    expect(dec(Oid.date, '2024-02-29')).toBe(19782);
    expect(dateToEpochDays('1969-12-31')).toBe(-1);
    expect(dateToEpochDays('0044-03-15 BC')).toBeLessThan(-700_000);
    expect(dec(Oid.time, '13:14:15.123456')).toBe(47_655_123_456);
    expect(dec(Oid.time, '01:02:03.457', 3)).toBe(3_723_457);
    expect(dec(Oid.timetz, '10:11:12.5+02:30')).toBe('07:41:12.5Z');
    expect(dec(Oid.timetz, '23:00:00-02')).toBe('01:00:00Z');
    expect(dec(Oid.timestamp, '2024-01-02 03:04:05.678901')).toBe(1_704_164_645_678_901);
    expect(dec(Oid.timestamp, '1999-12-31 23:59:59.999', 3)).toBe(946_684_799_999);
    expect(dec(Oid.timestamptz, '2024-06-30 22:00:00.123456+02')).toBe('2024-06-30T20:00:00.123456Z');
    expect(dec(Oid.timestamptz, '2024-06-30 22:00:01+00', 0)).toBe('2024-06-30T22:00:01Z');
    expect(dec(Oid.timestamptz, '2024-06-30 22:00:00.1234+00', 3)).toBe('2024-06-30T22:00:00.123Z');
    expect(intervalToMicros('P1Y2M3DT4H5M6.5S')).toBe(37_091_106_500_000);
    expect(intervalToMicros('PT-1S')).toBe(-1_000_000);
  });

  it('encodes scalars, bytes, bits and arrays', () => {
    expect(dec(Oid.bool, 't')).toBe(true);
    expect(dec(Oid.bool, 'f')).toBe(false);
    expect(dec(Oid.int8, '9007199254740991')).toBe(9_007_199_254_740_991);
    expect(dec(Oid.float8, '3.141592653589793')).toBe(3.141592653589793);
    expect(dec(Oid.float4, 'NaN')).toBe('NaN');
    expect(dec(Oid.float8, '-Infinity')).toBe('-Infinity');
    expect(dec(Oid.bytea, '\\x00ff10')).toBe('AP8Q');
    expect(dec(Oid.money, '$1,234.56')).toBe('1234.56');
    expect(dec(Oid.money, '-$0.50')).toBe('-0.50');
    expect(dec(Oid.bit, '1', 1)).toBe(true);
    expect(dec(Oid.bit, '10100101', 8)).toBe('pQ==');
    expect(dec(Oid.varbit, '101')).toBe('BQ==');
    expect(dec(Oid.json, '{"a": 1}')).toBe('{"a": 1}');
    expect(dec(1009, '{a,"b c",NULL}')).toEqual(['a', 'b c', null]);
    expect(dec(1007, '{1,2,3}')).toEqual([1, 2, 3]);
    expect(dec(1185, '{"2024-01-02 03:04:05+00"}')).toEqual(['2024-01-02T03:04:05.000000Z']);
  });

  it('resolves domains, enums and arrays of user types through the catalog', () => {
    const catalog = new Map([
      [70_000, { type: 'd', baseOid: Oid.int4, elementOid: 0, name: 'positive_int' }],
      [70_001, { type: 'e', baseOid: 0, elementOid: 0, name: 'mood' }],
      [70_002, { type: 'b', baseOid: 0, elementOid: 70_001, name: '_mood' }],
    ]);
    expect(valueDecoder(70_000, -1, catalog)('7')).toBe(7);
    expect(valueDecoder(70_001, -1, catalog)('happy')).toBe('happy');
    expect(valueDecoder(70_002, -1, catalog)('{sad,happy}')).toEqual(['sad', 'happy']);
    expect(valueDecoder(99_999, -1, catalog)('(1,2)')).toBe('(1,2)');
  });

  it('stands in for unchanged TOASTed values with Debezium placeholders, all recognised', () => {
    expect(unavailableValue(Oid.text)).toBe(TOAST_PLACEHOLDER);
    expect(unavailableValue(1009)).toEqual([TOAST_PLACEHOLDER]);
    expect(Buffer.from(unavailableValue(Oid.bytea) as string, 'base64').toString()).toBe(TOAST_PLACEHOLDER);
    for (const oid of [Oid.text, Oid.jsonb, 1009, Oid.bytea])
      expect(isUnavailableValue(unavailableValue(oid))).toBe(true);
    expect(isUnavailableValue('real text')).toBe(false);
  });

  it("recognises Debezium's placeholder forms: bytea; text, bytea, int and uuid arrays; hstore", () => {
    const bytes = Buffer.from(TOAST_PLACEHOLDER);
    expect(isUnavailableValue(bytes.toString('base64'))).toBe(true);
    expect(isUnavailableValue([TOAST_PLACEHOLDER])).toBe(true);
    expect(isUnavailableValue([bytes.toString('base64')])).toBe(true);
    expect(isUnavailableValue([...bytes])).toBe(true);
    // uuid[]: java.util.UUID.nameUUIDFromBytes("__debezium_unavailable_value".getBytes()), from a JVM
    expect(isUnavailableValue(['b68a35a7-17ad-35b3-af2a-ae46edb4545a'])).toBe(true);
    expect(isUnavailableValue(['b68a35a7-17ad-35b3-af2a-ae46edb4545b'])).toBe(false);
    expect(isUnavailableValue({ [TOAST_PLACEHOLDER]: TOAST_PLACEHOLDER })).toBe(true);
    expect(isUnavailableValue(JSON.stringify({ [TOAST_PLACEHOLDER]: TOAST_PLACEHOLDER }))).toBe(true);
    for (const v of [null, 0, true, [], [TOAST_PLACEHOLDER, TOAST_PLACEHOLDER], [...bytes].slice(1), {}, 'x'])
      expect(isUnavailableValue(v)).toBe(false);
  });
});
