import type { FieldInput } from '../contract/decision-contract.ts';

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Tags as the matrix compares them: strings, lower-case. */
export const tagsOf = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase())
    : typeof v === 'string'
      ? [v.toLowerCase()]
      : [];

/** How deep a schema may nest; deeper is refused (the contract is unreadable, so the route is denied). */
export const MAX_DEPTH = 32;
/** How many leaf fields a schema may flatten to (recursive types could otherwise explode). */
export const MAX_FLAT_FIELDS = 10_000;

/** `a.b` under a prefix, or the name alone at the top. */
export const childPath = (prefix: string, name: string) => (prefix === '' ? name : `${prefix}.${name}`);

/**
 * The leaf fields of a schema by dotted path (`addresses.street`), each with the tags it and every field
 * around it carry: a tag on a record, an array or a map applies to everything inside it. A path reached
 * twice (a union of two records) keeps the tags of both.
 */
export class FlatFields {
  private readonly byName = new Map<string, Set<string>>();

  add(name: string, tags: Iterable<string>): void {
    let set = this.byName.get(name);
    if (set === undefined) {
      if (this.byName.size >= MAX_FLAT_FIELDS)
        throw new Error(`the schema flattens to more than ${MAX_FLAT_FIELDS} fields`);
      set = new Set();
      this.byName.set(name, set);
    }
    for (const t of tags) set.add(t);
  }

  get size(): number {
    return this.byName.size;
  }

  list(): FieldInput[] {
    return [...this.byName].map(([name, tags]) => ({ name, tags: [...tags] }));
  }
}

/** Throws when a walk goes deeper than MAX_DEPTH. */
export function checkDepth(depth: number, path: string): void {
  if (depth > MAX_DEPTH)
    throw new Error(`the schema nests deeper than ${MAX_DEPTH} levels at ${path || '(root)'}`);
}
