import { describe, expect, it } from 'vitest';
import { fullJitterMs } from './backoff.ts';

describe('fullJitterMs', () => {
  it('is uniform in [0, min(max, initial * 2^(n-1)))', () => {
    expect(fullJitterMs(1, 100, 10_000, () => 0)).toBe(0);
    expect(fullJitterMs(1, 100, 10_000, () => 0.999)).toBe(99);
    expect(fullJitterMs(4, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitterMs(40, 100, 10_000, () => 0.5)).toBe(5_000);
  });
  it('spreads: many draws are not all equal', () => {
    const draws = new Set(Array.from({ length: 50 }, () => fullJitterMs(5, 100, 10_000)));
    expect(draws.size).toBeGreaterThan(10);
    for (const d of draws) expect(d).toBeLessThan(1_600);
  });
});
