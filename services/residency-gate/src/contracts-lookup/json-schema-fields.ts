import { checkDepth, childPath, isObj, tagsOf } from './flat-fields.ts';
import type { FlatFields } from './flat-fields.ts';

/**
 * JSON Schema: every leaf property by dotted path, through nested objects, arrays (`items`,
 * `prefixItems`), maps (`additionalProperties`, `patternProperties`), `allOf`/`anyOf`/`oneOf` and local
 * `$ref`s (`#/$defs/...`, `#/definitions/...`); `confluent:tags` apply to everything inside. A `$ref` the
 * gate cannot resolve (another document) makes the contract unreadable: its fields are unknown.
 */
export function jsonSchemaFields(root: unknown, out: FlatFields): void {
  new JsonSchemaWalker(root, out).walk('', root, [], [], 0);
}

class JsonSchemaWalker {
  private readonly root: unknown;
  private readonly out: FlatFields;
  constructor(root: unknown, out: FlatFields) {
    this.root = root;
    this.out = out;
  }

  private resolve(ref: string): unknown {
    if (ref === '#') return this.root;
    if (!ref.startsWith('#/')) throw new Error(`$ref "${ref}" points outside the schema`);
    let at: unknown = this.root;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      at = isObj(at) ? at[key] : undefined;
    }
    if (at === undefined) throw new Error(`$ref "${ref}" does not resolve`);
    return at;
  }

  walk(path: string, s: unknown, inherited: string[], stack: string[], depth: number): void {
    checkDepth(depth, path);
    if (!isObj(s)) {
      if (path !== '') this.out.add(path, inherited);
      return;
    }
    const tags = [...inherited, ...tagsOf(s['confluent:tags'])];
    const before = this.out.size;
    const next = (p: string, sub: unknown) => this.walk(p, sub, tags, stack, depth + 1);
    if (typeof s.$ref === 'string') {
      if (stack.includes(s.$ref)) {
        this.out.add(path, [...tags, ...this.tagsWithin(this.resolve(s.$ref), new Set())]);
      } else {
        this.walk(path, this.resolve(s.$ref), tags, [...stack, s.$ref], depth + 1);
      }
    }
    if (isObj(s.properties)) for (const [k, p] of Object.entries(s.properties)) next(childPath(path, k), p);
    for (const key of ['items', 'additionalProperties', 'additionalItems', 'contains'] as const)
      if (isObj(s[key])) next(path, s[key]);
    if (Array.isArray(s.items)) for (const sub of s.items) next(path, sub);
    if (Array.isArray(s.prefixItems)) for (const sub of s.prefixItems) next(path, sub);
    if (isObj(s.patternProperties)) for (const sub of Object.values(s.patternProperties)) next(path, sub);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const)
      if (Array.isArray(s[key])) for (const sub of s[key]) next(path, sub);
    // Nothing declared inside (a string, or a free-form object): the property is one field.
    if (this.out.size === before && path !== '') this.out.add(path, tags);
  }

  /** Every tag inside a schema (for a recursive `$ref`, which is not expanded again). */
  private tagsWithin(s: unknown, seen: Set<unknown>): string[] {
    if (Array.isArray(s)) return s.flatMap((x) => this.tagsWithin(x, seen));
    if (!isObj(s) || seen.has(s)) return [];
    seen.add(s);
    const out = tagsOf(s['confluent:tags']);
    if (typeof s.$ref === 'string' && (s.$ref === '#' || s.$ref.startsWith('#/'))) {
      try {
        out.push(...this.tagsWithin(this.resolve(s.$ref), seen));
      } catch {
        // An unresolvable $ref is refused where the walk reaches it.
      }
    }
    for (const [k, v] of Object.entries(s)) if (k !== 'confluent:tags') out.push(...this.tagsWithin(v, seen));
    return out;
  }
}
