/**
 * RFC 8785 JSON Canonicalization Scheme: object members sorted by their names' UTF-16 code units, no
 * whitespace, numbers as ECMAScript's Number-to-String (what JSON.stringify prints), strings escaped as
 * JSON.stringify escapes them. Lone surrogates, non-finite numbers and non-JSON values are refused.
 */
export class CanonicalJsonError extends Error {}

const SURROGATE = /[\ud800-\udfff]/;
/** Printable ASCII without `"` and `\\`: such a string is its own JSON form between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A string's canonical JSON form. */
export function str(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  if (SURROGATE.test(s) && LONE_SURROGATE.test(s))
    throw new CanonicalJsonError('a string holds a lone surrogate');
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
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          out += (i === 0 ? '' : ',') + (v === undefined ? 'null' : canonicalize(v));
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        const toJSON = (value as { toJSON?: () => unknown }).toJSON;
        if (typeof toJSON === 'function') return canonicalize(toJSON.call(value));
        throw new CanonicalJsonError('only plain objects, arrays and primitives have a canonical form');
      }
      const obj = value as Record<string, unknown>;
      // Array.prototype.sort without a comparator compares UTF-16 code units, which is what RFC 8785 asks.
      const keys = Object.keys(obj);
      if (keys.length > 1) keys.sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += `${first ? '' : ','}${str(k)}:${canonicalize(v)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalJsonError(`a ${typeof value} has no JSON form`);
  }
}
