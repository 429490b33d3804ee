/**
 * Field names whose values must never reach a log line. Services add the names they learn are PII-tagged
 * (from registered contracts) with `markPiiFields`; the logger then replaces those values wherever they
 * appear in a logged object, at any depth up to a bound.
 */
export class PiiFieldSet {
  readonly #names = new Set<string>();

  add(...names: string[]): void {
    for (const n of names) this.#names.add(n.toLowerCase());
  }

  has(name: string): boolean {
    return this.#names.has(name.toLowerCase());
  }

  get size(): number {
    return this.#names.size;
  }
}

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 6;

/** Returns a copy of `value` with every PII-named key's value replaced; values are not inspected. */
export function redactPii(value: unknown, fields: PiiFieldSet, depth = 0): unknown {
  if (fields.size === 0 || depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactPii(v, fields, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = fields.has(k) ? REDACTED : redactPii(v, fields, depth + 1);
  }
  return out;
}
