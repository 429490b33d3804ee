/**
 * RFC 8785 JSON Canonicalization Scheme: object members sorted by their names' UTF-16 code units, no
 * whitespace, numbers as ECMAScript's Number-to-String (what JSON.stringify prints), strings escaped as
 * JSON.stringify escapes them. Lone surrogates, non-finite numbers and non-JSON values are refused.
 */
export class CanonicalJsonError extends Error {}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function str(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new CanonicalJsonError('a string holds a lone surrogate');
  return JSON.stringify(s);
}

export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} has no JSON form`);
      return JSON.stringify(value);
    case 'string':
      return str(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalize(v))).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        const toJSON = (value as { toJSON?: () => unknown }).toJSON;
        if (typeof toJSON === 'function') return canonicalize(toJSON.call(value));
        throw new CanonicalJsonError('only plain objects, arrays and primitives have a canonical form');
      }
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      // Array.prototype.sort without a comparator compares UTF-16 code units, which is what RFC 8785 asks.
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${str(k)}:${canonicalize(v)}`).join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`a ${typeof value} has no JSON form`);
  }
}
