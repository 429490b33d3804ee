import type { JsonNode } from './json-text.ts';

/**
 * The identity text of a schema. Confluent's `canonicalString()` is Jackson writing the parsed tree back
 * without whitespace, keys in their written order; `normalize()` re-reads it into a tree whose objects are
 * TreeMaps, so keys come out sorted (by UTF-16 code units, like Java's `String.compareTo`) at every level
 * while array order is kept. Strings are re-escaped the way Jackson writes them (`"\/"` becomes `"/"`,
 * non-ASCII stays as is); numbers keep their lexeme.
 */
export function canonicalJson(node: JsonNode, sortKeys: boolean): string {
  switch (node.kind) {
    case 'object': {
      const keys = [...node.entries.keys()];
      if (sortKeys) keys.sort(compareCodeUnits);
      const members = keys.map(
        (k) => `${JSON.stringify(k)}:${canonicalJson(node.entries.get(k)!, sortKeys)}`,
      );
      return `{${members.join(',')}}`;
    }
    case 'array':
      return `[${node.items.map((item) => canonicalJson(item, sortKeys)).join(',')}]`;
    case 'string':
      return JSON.stringify(node.value);
    case 'number':
      return node.raw;
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
  }
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A stable text for a plain value (keys sorted), to compare enum members, consts and defaults. */
export function valueKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareCodeUnits);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${valueKey(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
