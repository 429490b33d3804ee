import { describe, expect, it } from 'vitest';
import { durationSeconds, shorter } from './iso-duration.ts';

describe('ISO 8601 durations', () => {
  it('reads the parts', () => {
    expect(durationSeconds('P90D')).toBe(90 * 86_400);
    expect(durationSeconds('P1W')).toBe(7 * 86_400);
    expect(durationSeconds('PT36H')).toBe(36 * 3_600);
    expect(durationSeconds('P1Y2M3DT4H5M6.5S')).toBe(31_557_600 + 2 * 2_629_800 + 3 * 86_400 + 14_706.5);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'P', 'PT', '90D', 'P-1D', 'P1.5D', 'soon']) expect(durationSeconds(bad)).toBeNaN();
  });

  it('picks the shorter, never a malformed one over a valid one', () => {
    expect(shorter('P2Y', 'P90D')).toBe('P90D');
    expect(shorter('P3M', 'P1Y')).toBe('P3M');
    expect(shorter('P13M', 'P1Y')).toBe('P1Y');
    expect(shorter('junk', 'P1Y')).toBe('P1Y');
    expect(shorter('P1Y', 'junk')).toBe('P1Y');
  });
});
