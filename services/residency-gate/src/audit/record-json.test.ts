import { describe, expect, it } from 'vitest';
import { canonicalize } from '../jcs/canonical-json.ts';
import { canonicalAuditInput } from './record-json.ts';
import type { AuditInput } from './record-json.ts';

let seed = 7;
const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const ALPHABET = [
  'a',
  'Z',
  '0',
  '-',
  '"',
  '\\',
  '\n',
  '\u00e9',
  '\u20ac',
  '\ud83d\ude00',
  ' ',
  '/',
  '\u0001',
];
const text = () =>
  Array.from({ length: Math.floor(next() * 12) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(
    '',
  );

function randomInput(): AuditInput {
  return {
    route: {
      source: { dataset: text(), region: text() },
      sink: { id: text(), region: text(), ...(next() < 0.5 ? { ttl: text() } : {}) },
      purpose: text(),
    },
    classification: text(),
    fields: Array.from({ length: Math.floor(next() * 5) }, () => ({
      name: text(),
      tags: Array.from({ length: Math.floor(next() * 3) }, text),
    })),
    ...(next() < 0.3 ? { subject: text() } : {}),
  };
}

describe('shape-specific canonical JSON of audit inputs', () => {
  it('equals the generic RFC 8785 form for random inputs', () => {
    for (let i = 0; i < 500; i++) {
      const input = randomInput();
      const generic = canonicalize(structuredClone(input));
      expect(canonicalAuditInput(input)).toBe(generic);
    }
  });
});
