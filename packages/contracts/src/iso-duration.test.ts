import { describe, expect, it } from 'vitest';
import { durationSeconds, shorterDuration } from './iso-duration.ts';

describe('ISO 8601 durations', () => {
  it('reads the parts', () => {
    expect(durationSeconds('P90D')).toBe(90 * 86_400);
    expect(durationSeconds('P1W')).toBe(7 * 86_400);
    expect(durationSeconds('PT36H')).toBe(36 * 3_600);
    expect(durationSeconds('P1Y2M3DT4H5M6S')).toBe(365 * 86_400 + 60 * 86_400 + 3 * 86_400 + 14_706);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'P', 'PT', '90D', 'P-1D', 'P1.5D', 'soon'])
      expect(durationSeconds(bad)).toBeNull();
  });

  it('picks the shorter, never a malformed one over a valid one', () => {
    expect(shorterDuration('P2Y', 'P90D')).toBe('P90D');
    expect(shorterDuration('P3M', 'P1Y')).toBe('P3M');
    expect(shorterDuration('P13M', 'P1Y')).toBe('P1Y');
    expect(shorterDuration('junk', 'P1Y')).toBe('P1Y');
    expect(shorterDuration('P1Y', 'junk')).toBe('P1Y');
  });
});
