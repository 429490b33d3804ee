import { InvalidSchemaError } from '../schema-format.ts';
import type { AvroType } from './avro-model.ts';
import type { JsonNode } from './json-reader.ts';
import { numberClass } from './json-reader.ts';
import type { Where } from './names.ts';
import { at } from './names.ts';

/**
 * Java's `Schema.isValidDefault` (Avro 1.12, the version Confluent's current registry runs), which the parser
 * runs on every field default when `validateDefaults` is on (Confluent registers new schemas that way). Its
 * rules, not always the spec's: a union's default may fit any branch (1.12; 1.11 wanted the first); enum
 * and fixed defaults only need to be strings (the symbol and the length are not checked); an int must be an
 * integral number in int range, a long one in long range; float and double take any number; a record
 * default is an object whose every field, or that field's own default, fits.
 */
export function isValidDefault(type: AvroType, value: JsonNode | undefined, path: Where): boolean {
  if (value === undefined) return false;
  switch (type.type) {
    case 'string':
    case 'bytes':
    case 'enum':
    case 'fixed':
      return value.kind === 'string';
    case 'int':
      return value.kind === 'number' && numberClass(value.raw) === 'int';
    case 'long': {
      if (value.kind !== 'number') return false;
      const c = numberClass(value.raw);
      return c === 'int' || c === 'long';
    }
    case 'float':
    case 'double':
      return value.kind === 'number';
    case 'boolean':
      return value.kind === 'boolean';
    case 'null':
      return value.kind === 'null';
    case 'array':
      return value.kind === 'array' && value.items.every((item) => isValidDefault(type.items, item, path));
    case 'map':
      return (
        value.kind === 'object' &&
        [...value.entries.values()].every((v) => isValidDefault(type.values, v, path))
      );
    case 'union':
      return type.branches.some((b) => isValidDefault(b, value, path));
    case 'record': {
      if (value.kind !== 'object') return false;
      if (type.open) {
        // Java throws "Schema fields not set yet": the record is still being defined.
        throw new InvalidSchemaError(
          `the default refers to record '${type.fullName}' while its fields are still being defined`,
          at(path),
        );
      }
      return type.fields.every((f) => isValidDefault(f.type, value.entries.get(f.name) ?? f.default, path));
    }
  }
}

const JAVA_DOUBLE = /^[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/;

/**
 * Java's `Double.valueOf` on a float/double field's string default (the parser turns `"1.5"` or `"NaN"`
 * into a number before checking it). Returns the number's text, or null when Java refuses it.
 */
export function javaParseDouble(text: string): number | null {
  const t = text.trim();
  if (!JAVA_DOUBLE.test(t)) return null;
  const body = t.replace(/[fFdD]$/, '');
  if (/NaN$/.test(body)) return NaN;
  if (/Infinity$/.test(body)) return body.startsWith('-') ? -Infinity : Infinity;
  return Number(body);
}
