import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as E from './errors.ts';

/** Every `error_code` Confluent's Errors.java defines, up to the version this registry follows. */
const CONFLUENT = new Set([
  ...[40401, 40402, 40403, 40404, 40405, 40406, 40407, 40408, 40409, 40410, 40411],
  ...[40901, 40902, 40903, 40904, 40905, 40907, 40908],
  ...Array.from({ length: 16 }, (_, i) => 42201 + i),
  ...[50001, 50002, 50003, 50004, 50005],
]);

const codes = Object.values(E).map((e) => ({ code: e.code, statusCode: e.statusCode }));

describe('registry error codes', () => {
  it('answers with a code whose first three digits are its HTTP status', () => {
    for (const { code, statusCode } of codes) expect(code.slice(0, 3), code).toBe(String(statusCode));
  });

  it('keeps its own codes out of the ones Confluent defines, in 42290-42299', () => {
    const ours = ['InvalidSemver', 'LintFailed', 'InvalidContract', 'InvalidLintConfig'] as const;
    for (const name of ours) {
      const code = Number(E[name].code);
      expect(CONFLUENT.has(code), `${name} ${code}`).toBe(false);
      expect(code >= 42290 && code <= 42299, `${name} ${code}`).toBe(true);
    }
  });

  it('documents every code in the README error catalog', () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const start = readme.indexOf('## Error codes');
    const catalog = readme.slice(start, readme.indexOf('\n## ', start + 1));
    for (const { code } of codes) expect(catalog, code).toContain(code);
  });
});
