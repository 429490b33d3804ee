import { describe, expect, it } from 'vitest';
import { bump, bumpKind, compareSemver, formatSemver, parseSemver } from './semver.ts';

describe('semver', () => {
  it('parses strict MAJOR.MINOR.PATCH only', () => {
    expect(parseSemver('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 });
    for (const bad of ['1.2', '01.2.3', '1.2.3-rc.1', 'v1.2.3', '', '1.2.3.4'])
      expect(parseSemver(bad)).toBeNull();
  });

  it('orders and bumps', () => {
    const v = parseSemver('1.4.2')!;
    expect(formatSemver(bump(v, 'major'))).toBe('2.0.0');
    expect(formatSemver(bump(v, 'minor'))).toBe('1.5.0');
    expect(formatSemver(bump(v, 'patch'))).toBe('1.4.3');
    expect(compareSemver(parseSemver('1.10.0')!, parseSemver('1.9.9')!)).toBeGreaterThan(0);
    expect(bumpKind(v, parseSemver('2.0.0')!)).toBe('major');
    expect(bumpKind(v, parseSemver('1.4.9')!)).toBe('patch');
  });
});
