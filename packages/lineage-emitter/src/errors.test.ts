import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMITTER_ERROR_CODES, isRetriable, LineageEmitterError } from './errors.ts';
import { METRIC_NAMES } from './metrics.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('errors and metrics are documented', () => {
  it.each(Object.keys(EMITTER_ERROR_CODES))('%s is in the README', (code) => {
    expect(readme).toContain(`\`${code}\``);
  });
  it.each(Object.values(METRIC_NAMES))('%s is in the README', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });
});

describe('LineageEmitterError', () => {
  it('takes retriable from the catalog unless told, and keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const network = new LineageEmitterError('LIN_EMITTER_NETWORK', 'down', { cause });
    expect(network).toMatchObject({ code: 'LIN_EMITTER_NETWORK', retriable: true, cause });
    expect(isRetriable(network)).toBe(true);
    const status = new LineageEmitterError('LIN_EMITTER_HTTP_STATUS', '503', {
      status: 503,
      retriable: true,
      retryAfterMs: 1000,
    });
    expect(status.toJSON()).toEqual({
      code: 'LIN_EMITTER_HTTP_STATUS',
      message: '503',
      retriable: true,
      status: 503,
    });
    expect(isRetriable(new LineageEmitterError('LIN_EMITTER_HTTP_STATUS', '400', { status: 400 }))).toBe(
      false,
    );
    expect(isRetriable(new Error('unknown'))).toBe(true);
  });
});
