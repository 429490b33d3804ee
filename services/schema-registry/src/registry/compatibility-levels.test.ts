import { describe, expect, it } from 'vitest';
import { versionsRequiredBy } from './compatibility-levels.ts';

describe('versionsRequiredBy', () => {
  const versions = [1, 2, 3];

  it('is the latest only for the non-transitive levels', () => {
    for (const level of ['BACKWARD', 'FORWARD', 'FULL'] as const)
      expect(versionsRequiredBy(level, versions)).toEqual([3]);
  });

  it('is every version, oldest first, for the transitive levels', () => {
    for (const level of ['BACKWARD_TRANSITIVE', 'FORWARD_TRANSITIVE', 'FULL_TRANSITIVE'] as const)
      expect(versionsRequiredBy(level, versions)).toEqual([1, 2, 3]);
  });

  it('is nothing for NONE or a subject without versions', () => {
    expect(versionsRequiredBy('NONE', versions)).toEqual([]);
    expect(versionsRequiredBy('BACKWARD', [])).toEqual([]);
  });
});
