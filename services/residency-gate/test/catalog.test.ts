import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATE_ERROR_CODES, REASON_CODES } from '../src/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README catalogs', () => {
  it('lists every reason code with its meaning', () => {
    const rows = readme
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .map((l) => l.split('|').map((c) => c.trim()));
    for (const [code, meaning] of Object.entries(REASON_CODES))
      expect(rows).toContainEqual(['', `\`${code}\``, meaning, '']);
  });
  it('lists every error code', () => {
    for (const code of GATE_ERROR_CODES) expect(readme).toMatch(new RegExp(`^\\| \`${code}\`\\s+\\|`, 'm'));
  });
});
