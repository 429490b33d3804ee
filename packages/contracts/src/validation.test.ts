import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWith, toPointer } from './validation.ts';

describe('parseWith', () => {
  it('reports every issue with an RFC 6901 pointer', () => {
    const schema = z.object({ a: z.object({ 'b/c': z.array(z.number()) }), 'x~y': z.string() });
    const result = parseWith(schema, { a: { 'b/c': [1, 'two'] } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.pointer).sort()).toEqual(['/a/b~1c/1', '/x~0y']);
    expect(result.issues.every((i) => i.rule && i.message)).toBe(true);
  });

  it('returns the parsed value', () => {
    expect(parseWith(z.object({ n: z.coerce.number() }), { n: '3' })).toEqual({ ok: true, value: { n: 3 } });
  });

  it('points at the root with an empty pointer', () => {
    expect(toPointer([])).toBe('');
  });
});
