import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigShape, ConfigError, loadConfig } from '../src/index.ts';

const schema = z.object({
  ...baseConfigShape('SPINE_TEST_PORT', 9999),
  SPINE_TEST_URL: z.url(),
  SPINE_TEST_WORKERS: z.coerce.number().int().positive(),
});

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const cfg = loadConfig('test', schema, { SPINE_TEST_URL: 'postgres://x/y', SPINE_TEST_WORKERS: '3' });
    expect(cfg.SPINE_TEST_PORT).toBe(9999);
    expect(cfg.SPINE_HOST).toBe('127.0.0.1');
    expect(cfg.SPINE_READS_REQUIRE_AUTH).toBe(false);
    expect(cfg.SPINE_TEST_WORKERS).toBe(3);
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('reports every problem at once', () => {
    let caught: unknown;
    try {
      loadConfig('test', schema, {
        SPINE_TEST_PORT: '70000',
        SPINE_TEST_WORKERS: '-1',
        SPINE_LOG_LEVEL: 'loud',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'SPINE_LOG_LEVEL',
      'SPINE_TEST_PORT',
      'SPINE_TEST_URL',
      'SPINE_TEST_WORKERS',
    ]);
  });
});
