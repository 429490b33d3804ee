import { checkDepth, childPath, isObj, tagsOf } from './flat-fields.ts';
import type { FlatFields, Json } from './flat-fields.ts';

const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

const fullName = (name: string, namespace: string | undefined) =>
  name.includes('.') || !namespace ? name : `${namespace}.${name}`;

/**
 * Avro: every leaf field by dotted path, through nested records, arrays and maps of records, unions and
 * references to named types; inline `confluent:tags` of a field apply to everything inside it. A recursive
 * type is cut where it recurs: that field is a leaf carrying every tag found inside the type.
 */
export function avroFields(schema: unknown, out: FlatFields): void {
  new AvroWalker(out).walk('', schema, [], undefined, [], 0);
}

class AvroWalker {
  private readonly named = new Map<string, Json>();
  /** A definition's full name and the namespace its fields resolve names in. */
  private readonly scope = new WeakMap<Json, { name: string; ns: string | undefined }>();
  private readonly out: FlatFields;
  constructor(out: FlatFields) {
    this.out = out;
  }

  private lookup(name: string, ns: string | undefined): Json | undefined {
    return this.named.get(fullName(name, ns)) ?? this.named.get(name);
  }

  private register(t: Json, ns: string | undefined): { name: string | null; ns: string | undefined } {
    if (typeof t.name !== 'string') return { name: null, ns };
    const space = typeof t.namespace === 'string' ? t.namespace : ns;
    const name = fullName(t.name, space);
    const dot = name.lastIndexOf('.');
    const scope = { name, ns: dot > 0 ? name.slice(0, dot) : space };
    this.named.set(name, t);
    this.scope.set(t, scope);
    return scope;
  }

  walk(
    path: string,
    t: unknown,
    tags: string[],
    ns: string | undefined,
    stack: string[],
    depth: number,
  ): void {
    checkDepth(depth, path);
    if (typeof t === 'string') {
      const def = this.lookup(t, ns);
      if (def === undefined || !NAMED.has(String(def.type))) {
        if (path !== '') this.out.add(path, tags);
        return;
      }
      const name = this.scope.get(def)?.name ?? String(def.name);
      if (stack.includes(name)) {
        this.out.add(path, [...tags, ...this.tagsWithin(def, ns, new Set())]);
        return;
      }
      this.walkNamed(path, def, tags, ns, stack, depth, false);
      return;
    }
    if (Array.isArray(t)) {
      // A union: every branch but null (a value may take any of them).
      const before = this.out.size;
      for (const b of t)
        if (b !== 'null' && !(isObj(b) && b.type === 'null')) this.walk(path, b, tags, ns, stack, depth + 1);
      if (this.out.size === before && path !== '' && t.some((b) => b !== 'null')) this.out.add(path, tags);
      return;
    }
    if (!isObj(t)) {
      if (path !== '') this.out.add(path, tags);
      return;
    }
    switch (t.type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed':
        this.walkNamed(path, t, tags, ns, stack, depth, true);
        return;
      case 'array':
        this.walk(path, t.items, tags, ns, stack, depth + 1);
        return;
      case 'map':
        this.walk(path, t.values, tags, ns, stack, depth + 1);
        return;
      default:
        // `{"type": "string", "logicalType": ...}`, or a type wrapped once more.
        if (isObj(t.type) || Array.isArray(t.type)) this.walk(path, t.type, tags, ns, stack, depth + 1);
        else if (path !== '') this.out.add(path, tags);
    }
  }

  private walkNamed(
    path: string,
    t: Json,
    tags: string[],
    ns: string | undefined,
    stack: string[],
    depth: number,
    define: boolean,
  ): void {
    const { name, ns: inner } = define ? this.register(t, ns) : (this.scope.get(t) ?? { name: null, ns });
    if ((t.type !== 'record' && t.type !== 'error') || !Array.isArray(t.fields)) {
      if (path !== '') this.out.add(path, tags);
      return;
    }
    const before = this.out.size;
    const within = name === null ? stack : [...stack, name];
    for (const f of t.fields) {
      if (!isObj(f) || typeof f.name !== 'string') continue;
      this.walk(
        childPath(path, f.name),
        f.type,
        [...tags, ...tagsOf(f['confluent:tags'])],
        inner,
        within,
        depth + 1,
      );
    }
    if (this.out.size === before && path !== '') this.out.add(path, tags);
  }

  /** Every tag inside a type (for a recursive reference, which is not expanded again). */
  private tagsWithin(t: unknown, ns: string | undefined, seen: Set<Json>): string[] {
    if (typeof t === 'string') {
      const def = this.lookup(t, ns);
      return def ? this.tagsWithin(def, ns, seen) : [];
    }
    if (Array.isArray(t)) return t.flatMap((b) => this.tagsWithin(b, ns, seen));
    if (!isObj(t) || seen.has(t)) return [];
    seen.add(t);
    const inner = typeof t.namespace === 'string' ? t.namespace : ns;
    const fields = Array.isArray(t.fields) ? t.fields.filter(isObj) : [];
    return [
      ...fields.flatMap((f) => [...tagsOf(f['confluent:tags']), ...this.tagsWithin(f.type, inner, seen)]),
      ...this.tagsWithin(t.items, inner, seen),
      ...this.tagsWithin(t.values, inner, seen),
      ...(isObj(t.type) || Array.isArray(t.type) ? this.tagsWithin(t.type, inner, seen) : []),
    ];
  }
}
