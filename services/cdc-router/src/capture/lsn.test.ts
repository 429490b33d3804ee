import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from './lsn.ts';

describe('LSN', () => {
  it('parses and formats Postgres spelling', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
    expect(parseLsn(formatLsn(26387888n))).toBe(26387888n);
  });
  it('refuses what is not an LSN', () => {
    expect(() => parseLsn('16B374D848')).toThrow(RangeError);
    expect(() => parseLsn('x/1')).toThrow(RangeError);
  });
});
