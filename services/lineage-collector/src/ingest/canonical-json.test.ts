import { describe, expect, it } from 'vitest';
import { canonicalJson, eventHash, stableUuid } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined, keeping array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(eventHash({ a: 1, b: 2 })).toBe(eventHash({ b: 2, a: 1 }));
    expect(eventHash({ a: [1, 2] })).not.toBe(eventHash({ a: [2, 1] }));
  });
  it('makes stable RFC 9562 version-8 UUIDs', () => {
    const id = stableUuid('dataset', 'ns', 'name');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('dataset', 'ns', 'name')).toBe(id);
    expect(stableUuid('dataset', 'ns:name')).not.toBe(id);
  });
});
