import { InvalidSchemaError } from '../schema-format.ts';
import { isObject, pointer } from './json-pointer.ts';

/**
 * Reads one schema object's keywords with the checks everit makes while loading (a keyword of the wrong
 * JSON type is a SchemaException there, 42201 here), and remembers which keywords were read, so that the
 * keywords left over can be "sniffed" for further meanings as everit does.
 */
export class KeywordReader {
  readonly object: Record<string, unknown>;
  readonly segments: readonly string[];
  readonly #consumed = new Set<string>();

  constructor(object: Record<string, unknown>, segments: readonly string[]) {
    this.object = object;
    this.segments = segments;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.object, key);
  }

  /** Present and not yet read by an earlier meaning of this schema. */
  unread(key: string): boolean {
    return this.has(key) && !this.#consumed.has(key);
  }

  consume(...keys: readonly string[]): void {
    for (const key of keys) if (this.has(key)) this.#consumed.add(key);
  }

  get consumed(): ReadonlySet<string> {
    return this.#consumed;
  }

  raw(key: string): unknown {
    this.consume(key);
    return this.has(key) ? this.object[key] : undefined;
  }

  nonNegativeInteger(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw this.error(key, 'must be a non-negative integer');
    }
    return value;
  }

  number(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.error(key, 'must be a number');
    return value;
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.error(key, 'must be a string');
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.error(key, 'must be true or false');
    return value;
  }

  stringList(
    key: string,
    value: unknown = this.raw(key),
    at: readonly string[] = [key],
  ): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw this.errorAt(at, 'must be an array of strings');
    }
    return value as string[];
  }

  array(key: string, nonEmpty = false): unknown[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.error(key, 'must be an array');
    if (nonEmpty && value.length === 0) throw this.error(key, 'must not be empty');
    return value as unknown[];
  }

  record(key: string): Record<string, unknown> | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isObject(value)) throw this.error(key, 'must be an object');
    return value;
  }

  error(key: string, what: string): InvalidSchemaError {
    return this.errorAt([key], what);
  }

  errorAt(at: readonly string[], what: string): InvalidSchemaError {
    return new InvalidSchemaError(`'${at.join('/')}' ${what}`, pointer([...this.segments, ...at]));
  }
}
