import { InvalidSchemaError } from '../schema-format.ts';
import { isPrimitive } from './avro-model.ts';

/**
 * Names as Avro's Java parser checks them with `NameValidator.STRICT_VALIDATOR`, the validator Confluent's
 * registry uses for new schemas: `[A-Za-z_][A-Za-z0-9_]*` for names, field names and enum symbols, and the
 * same for every dot-separated part of a namespace. Primitive type names cannot name a type.
 */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Null when `name` is a valid Avro name, else why not (Java's messages). */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (NAME.test(name)) return null;
  const first = name[0] ?? '';
  return /[A-Za-z_]/.test(first)
    ? `illegal character in name '${name}'`
    : `illegal initial character in name '${name}'`;
}

/** A JSON pointer, or a function computing it (only needed when something is wrong). */
export type Where = string | (() => string);

export function at(where: Where): string {
  return typeof where === 'string' ? where : where();
}

export function requireName(name: string, what: string, path: Where): string {
  const problem = nameProblem(name);
  if (problem) throw new InvalidSchemaError(`invalid ${what}: ${problem}`, at(path));
  return name;
}

export interface QualifiedName {
  readonly name: string;
  readonly namespace: string | null;
  readonly fullName: string;
}

/**
 * Java's `Schema.Name(name, space)`: a name with dots carries its own namespace, otherwise it takes `space`;
 * an empty namespace is the null namespace. Validates every part.
 */
export function qualify(name: string, space: string | null, what: string, path: Where): QualifiedName {
  const lastDot = name.lastIndexOf('.');
  let simple = name;
  let namespace = space;
  if (lastDot >= 0) {
    namespace = name.slice(0, lastDot);
    simple = name.slice(lastDot + 1);
  }
  if (namespace === '') namespace = null;
  requireName(simple, what, path);
  if (namespace !== null) {
    for (const part of namespace.split('.')) requireName(part, `namespace of ${what} '${name}'`, path);
  }
  if (isPrimitive(simple)) {
    throw new InvalidSchemaError(`invalid ${what}: '${simple}' is a primitive type name`, at(path));
  }
  return { name: simple, namespace, fullName: namespace === null ? simple : `${namespace}.${simple}` };
}

/**
 * Candidates for a type reference written `name` inside `space`, in Java's lookup order: the name in the
 * enclosing namespace, then in the null namespace (a name with dots is already full).
 */
export function lookupCandidates(name: string, space: string | null): string[] {
  if (name.includes('.')) return [name.startsWith('.') ? name.slice(1) : name];
  return space === null ? [name] : [`${space}.${name}`, name];
}
