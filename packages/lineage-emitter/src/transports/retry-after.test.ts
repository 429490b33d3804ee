import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it('delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 7 ', now)).toBe(7000);
  });
  it('an HTTP-date, relative to now, never negative', () => {
    expect(parseRetryAfter('Tue, 01 Dec 2026 12:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('absent or unreadable: undefined (our own backoff applies)', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('2026-12-01', now)).toBeUndefined();
  });
});
