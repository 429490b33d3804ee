import type { AvroType, EnumType, Field, FixedType, NamedType, RecordType, UnionType } from './avro-model.ts';
import { isNamed, isPrimitive, typeName } from './avro-model.ts';
import { compareCodeUnits } from './canonical-form.ts';

/** Java's `SchemaCompatibility.SchemaIncompatibilityType`. */
export const INCOMPATIBILITY_TYPES = [
  'NAME_MISMATCH',
  'FIXED_SIZE_MISMATCH',
  'MISSING_ENUM_SYMBOLS',
  'READER_FIELD_MISSING_DEFAULT_VALUE',
  'TYPE_MISMATCH',
  'MISSING_UNION_BRANCH',
] as const;
export type IncompatibilityType = (typeof INCOMPATIBILITY_TYPES)[number];

/** One of Java's `Incompatibility`s: its type, its message (`getMessage()`), its location tokens. */
export interface Incompatibility {
  readonly type: IncompatibilityType;
  readonly message: string;
  /** Tokens from the root (the first, the root's empty token, is not part of the location). */
  readonly location: readonly string[];
}

/** Java's `Incompatibility.getLocation()`: a JSON pointer, `/` at the root. */
export function locationOf(i: Incompatibility): string {
  return (
    '/' +
    i.location
      .slice(1)
      .map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/')
  );
}

interface Result {
  readonly compatible: boolean;
  readonly incompatibilities: readonly Incompatibility[];
}

const COMPATIBLE: Result = { compatible: true, incompatibilities: [] };
const IN_PROGRESS: Result = { compatible: true, incompatibilities: [] };

function merge(a: Result, b: Result): Result {
  if (b.incompatibilities.length === 0 && b.compatible) return a;
  if (a.incompatibilities.length === 0 && a.compatible) return b;
  return {
    compatible: a.compatible && b.compatible,
    incompatibilities: [...a.incompatibilities, ...b.incompatibilities],
  };
}

/** Recursion deeper than this (long chains of distinct named types) is refused rather than overflowing. */
export const MAX_COMPARISON_DEPTH = 1000;

export class ComparisonTooDeepError extends Error {}

/**
 * A port of Apache Avro's `SchemaCompatibility.ReaderWriterCompatibilityChecker` (Java, 1.11/1.12): the same
 * decisions, the same order of incompatibilities, the same messages and locations. Pairs of types are
 * memoized by identity, a pair met again while it is being checked counts as compatible (which is how
 * recursive types terminate), and, as in Java, a memoized result keeps the locations of its first visit.
 */
export class CompatibilityChecker {
  readonly #memo = new Map<AvroType, Map<AvroType, Result>>();
  #depth = 0;

  check(reader: AvroType, writer: AvroType): readonly Incompatibility[] {
    return this.#get('', reader, writer, []).incompatibilities;
  }

  /** Java's `getCompatibility(referenceToken, reader, writer, location)`. */
  #get(token: string, reader: AvroType, writer: AvroType, location: string[]): Result {
    // Equal primitive types are compatible wherever they meet; no memo entry can make a difference.
    if (reader.type === writer.type && isPrimitive(reader.type)) return COMPATIBLE;
    location.push(token);
    if (!isNamed(reader)) {
      // Only named types recur, so a pair whose reader is not named is met once per visit of the named
      // pair around it, which the memo already makes a single visit: Java's memo entry for it is never read.
      if (++this.#depth > MAX_COMPARISON_DEPTH) throw new ComparisonTooDeepError();
      const result = this.#calculate(reader, writer, location);
      this.#depth--;
      location.pop();
      return result;
    }
    let byWriter = this.#memo.get(reader);
    if (!byWriter) {
      byWriter = new Map();
      this.#memo.set(reader, byWriter);
    }
    let result = byWriter.get(writer);
    if (result === IN_PROGRESS) {
      result = COMPATIBLE;
    } else if (result === undefined) {
      if (++this.#depth > MAX_COMPARISON_DEPTH) throw new ComparisonTooDeepError();
      byWriter.set(writer, IN_PROGRESS);
      result = this.#calculate(reader, writer, location);
      byWriter.set(writer, result);
      this.#depth--;
    }
    location.pop();
    return result;
  }

  /** Java's two-argument `getCompatibility(reader, writer)`: a fresh location stack. */
  #fresh(reader: AvroType, writer: AvroType): Result {
    return this.#get('', reader, writer, []);
  }

  #calculate(reader: AvroType, writer: AvroType, location: string[]): Result {
    let result = COMPATIBLE;
    if (reader.type === writer.type) {
      switch (reader.type) {
        case 'array':
          return this.#get('items', reader.items, (writer as typeof reader).items, location);
        case 'map':
          return this.#get('values', reader.values, (writer as typeof reader).values, location);
        case 'fixed':
          result = merge(result, this.#names(reader, writer as NamedType, location));
          return merge(result, this.#fixedSize(reader, writer as FixedType, location));
        case 'enum':
          result = merge(result, this.#names(reader, writer as NamedType, location));
          return merge(result, this.#enumSymbols(reader, writer as EnumType, location));
        case 'record':
          result = merge(result, this.#names(reader, writer as NamedType, location));
          return merge(result, this.#recordFields(reader, writer as RecordType, location));
        case 'union': {
          // Every branch of the writer union must be readable. (Java asks getCompatibility(readerUnion,
          // branch) in a fresh context, which is the reader-union search below; its result is used only
          // for whether it is compatible, so the search is asked directly.)
          (writer as typeof reader).branches.forEach((writerBranch, i) => {
            location.push(String(i));
            if (!this.#unionReads(reader, writerBranch)) {
              result = merge(
                result,
                incompatible(
                  'MISSING_UNION_BRANCH',
                  `reader union lacking writer type: ${typeName(writerBranch)}`,
                  location,
                ),
              );
            }
            location.pop();
          });
          return result;
        }
        default:
          return result;
      }
    }
    // Different types. A reader compatible with every branch of a writer union is compatible.
    if (writer.type === 'union') {
      writer.branches.forEach((branch, i) => {
        result = merge(result, this.#get(String(i), reader, branch, location));
      });
      return result;
    }
    switch (reader.type) {
      case 'long':
        return writer.type === 'int' ? result : this.#mismatch(reader, writer, location);
      case 'float':
        return writer.type === 'int' || writer.type === 'long'
          ? result
          : this.#mismatch(reader, writer, location);
      case 'double':
        return writer.type === 'int' || writer.type === 'long' || writer.type === 'float'
          ? result
          : this.#mismatch(reader, writer, location);
      case 'bytes':
        return writer.type === 'string' ? result : this.#mismatch(reader, writer, location);
      case 'string':
        return writer.type === 'bytes' ? result : this.#mismatch(reader, writer, location);
      case 'union': {
        if (this.#unionReads(reader, writer)) return result;
        return incompatible(
          'MISSING_UNION_BRANCH',
          `reader union lacking writer type: ${typeName(writer)}`,
          location,
        );
      }
      default:
        return this.#mismatch(reader, writer, location);
    }
  }

  /** Whether some branch of the reader union reads `writer` (not a union), in Java's branch order. */
  #unionReads(reader: UnionType, writer: AvroType): boolean {
    for (const branch of reader.branches) {
      if (!mayRead(branch, writer)) continue;
      // Primitives that may read one another do (same type or a promotion).
      if (isPrimitive(branch.type) || this.#fresh(branch, writer).compatible) return true;
    }
    return false;
  }

  #recordFields(reader: RecordType, writer: RecordType, location: string[]): Result {
    let result = COMPATIBLE;
    location.push('fields');
    for (const readerField of reader.fields) {
      location.push(String(readerField.pos));
      const writerField = lookupWriterField(writer, readerField, location);
      if (writerField === undefined) {
        if (readerField.default === undefined) {
          // Java then tries the field's enum default, comparing the enum with the writer record (a type
          // mismatch): a field without default stays incompatible either way, only the reason differs.
          if (readerField.type.type === 'enum' && readerField.type.enumDefault !== undefined) {
            result = merge(result, this.#get('type', readerField.type, writer, location));
          } else {
            result = merge(
              result,
              incompatible('READER_FIELD_MISSING_DEFAULT_VALUE', readerField.name, location),
            );
          }
        }
      } else {
        result = merge(result, this.#get('type', readerField.type, writerField.type, location));
      }
      location.pop();
    }
    location.pop();
    return result;
  }

  #enumSymbols(reader: EnumType, writer: EnumType, location: string[]): Result {
    location.push('symbols');
    let result = COMPATIBLE;
    const missing = writer.symbols.every((s) => reader.symbolSet.has(s))
      ? []
      : [...new Set(writer.symbols)].filter((s) => !reader.symbolSet.has(s)).sort(compareCodeUnits);
    if (
      missing.length > 0 &&
      !(reader.enumDefault !== undefined && reader.symbolSet.has(reader.enumDefault))
    ) {
      result = incompatible('MISSING_ENUM_SYMBOLS', `[${missing.join(', ')}]`, location);
    }
    location.pop();
    return result;
  }

  #fixedSize(reader: FixedType, writer: FixedType, location: string[]): Result {
    location.push('size');
    const result =
      reader.size === writer.size
        ? COMPATIBLE
        : incompatible('FIXED_SIZE_MISMATCH', `expected: ${writer.size}, found: ${reader.size}`, location);
    location.pop();
    return result;
  }

  #names(reader: NamedType, writer: NamedType, location: string[]): Result {
    location.push('name');
    const result = schemaNameEquals(reader, writer)
      ? COMPATIBLE
      : incompatible('NAME_MISMATCH', `expected: ${writer.fullName}`, location);
    location.pop();
    return result;
  }

  #mismatch(reader: AvroType, writer: AvroType, location: string[]): Result {
    return incompatible(
      'TYPE_MISMATCH',
      `reader type: ${typeName(reader)} not compatible with writer type: ${typeName(writer)}`,
      location,
    );
  }
}

const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  bytes: ['string'],
  string: ['bytes'],
};

/**
 * False when `reader` (a union branch) certainly cannot read `writer` (not a union): a different type
 * without a promotion, or a named type of another name. Java computes those pairs in full only to find them
 * incompatible; skipping them gives the same verdict and keeps unions of many records linear-ish.
 */
function mayRead(reader: AvroType, writer: AvroType): boolean {
  if (reader.type === writer.type) {
    return reader.type === 'record' || reader.type === 'enum' || reader.type === 'fixed'
      ? schemaNameEquals(reader, writer as NamedType)
      : true;
  }
  return PROMOTIONS[reader.type]?.includes(writer.type) ?? false;
}

function incompatible(type: IncompatibilityType, message: string, location: readonly string[]): Result {
  return { compatible: false, incompatibilities: [{ type, message, location: [...location] }] };
}

/** Java's `schemaNameEquals`: equal unqualified names, or the writer's full name among the reader's aliases. */
export function schemaNameEquals(reader: NamedType, writer: NamedType): boolean {
  return reader.name === writer.name || reader.aliases.includes(writer.fullName);
}

/** Java throws when a reader field matches several writer fields; Confluent reports that as incompatible. */
export class AmbiguousFieldError extends Error {
  readonly location: string;
  constructor(message: string, location: string) {
    super(message);
    this.location = location;
  }
}

/**
 * Java's `lookupWriterField`: the writer field with the reader field's name or one of its aliases; more
 * than one match (counting the same field twice, as Java does) is an error.
 */
export function lookupWriterField(
  writer: RecordType,
  readerField: Field,
  location: readonly string[] = [],
): Field | undefined {
  const direct = writer.fieldsByName.get(readerField.name);
  if (readerField.aliases.length === 0) return direct;
  const matches: Field[] = [];
  if (direct) matches.push(direct);
  for (const alias of readerField.aliases) {
    const f = writer.fieldsByName.get(alias);
    if (f) matches.push(f);
  }
  if (matches.length > 1) {
    throw new AmbiguousFieldError(
      `reader field '${readerField.name}' matches ${matches.length} fields of writer record '${writer.fullName}' (${matches.map((m) => m.name).join(', ')}) through its name and aliases`,
      '/' + location.slice(1).join('/'),
    );
  }
  return matches[0];
}
