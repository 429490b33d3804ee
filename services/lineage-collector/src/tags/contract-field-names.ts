/** A field of the registry's data contract (`GET /contracts/{subject}/versions/{version}`). */
export interface ContractField {
  name: string;
  /** Where the registry found it: `Customer.address.street` (Avro, Protobuf), `#/properties/a` (JSON). */
  path: string;
  type?: string | undefined;
  /** Inline and `metadata.tags` tags, merged by the registry. */
  tags: readonly string[];
}

/** How deep a Protobuf field is followed through message-typed fields (recursive messages stop anyway). */
const MAX_DEPTH = 16;

/**
 * The tags of a contract's fields by the dataset field they name: a top-level field by its name, a nested
 * one by its dotted path from the top (`address.city`; array items and map values are transparent).
 * Avro paths start with the record's name; JSON Schema paths are JSON pointers; Protobuf lists every
 * message's fields under that message, so nested ones are found by following message-typed fields from
 * the first message (the value's type, as Confluent's serializers take it).
 */
export function contractFieldTags(
  schemaType: string,
  fields: readonly ContractField[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, tags: readonly string[]) => {
    if (name === '' || tags.length === 0) return;
    const merged = new Set([...(out.get(name) ?? []), ...tags]);
    out.set(name, [...merged]);
  };
  switch (schemaType) {
    case 'JSON':
      for (const f of fields) add(jsonFieldName(f.path), f.tags);
      break;
    case 'PROTOBUF':
      for (const [name, tags] of protobufFieldTags(fields)) add(name, tags);
      break;
    default:
      for (const f of fields) add(avroFieldName(f.path), f.tags);
  }
  return out;
}

/** `Customer.items[].sku` -> `items.sku`: the record's name goes, array and map steps are transparent. */
function avroFieldName(path: string): string {
  return path
    .split('.')
    .slice(1)
    .map((s) => s.replace(/(\[\]|\{\})+$/, ''))
    .join('.');
}

/** `#/properties/address/properties/city` -> `address.city`; `items` and `additionalProperties` are steps. */
function jsonFieldName(path: string): string {
  const segments = path
    .replace(/^#?\/?/, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const names: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    if (segments[i] === 'properties' && i + 1 < segments.length) names.push(segments[++i]!);
  }
  return names.join('.');
}

const messageOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('.')));

function protobufFieldTags(fields: readonly ContractField[]): Array<[string, readonly string[]]> {
  const byMessage = new Map<string, ContractField[]>();
  for (const f of fields) {
    const m = messageOf(f.path);
    const list = byMessage.get(m) ?? [];
    list.push(f);
    byMessage.set(m, list);
  }
  const root = fields[0] ? messageOf(fields[0].path) : undefined;
  if (root === undefined) return [];
  /** A field's message type, as protoc resolves a name: from the innermost scope out, then by suffix. */
  const resolve = (type: string | undefined, scope: string): string | null => {
    if (!type) return null;
    const bare = type
      .replace(/^repeated\s+/, '')
      .replace(/^map\s*<[^,]+,\s*(.+)>$/, '$1')
      .trim()
      .replace(/^\./, '');
    const scopes = scope.split('.');
    for (let i = scopes.length; i >= 0; i--) {
      const candidate = [...scopes.slice(0, i), bare].join('.');
      if (byMessage.has(candidate)) return candidate;
    }
    // A package-qualified name (`shop.v1.Address`): paths leave the package out.
    const parts = bare.split('.');
    for (let i = 1; i < parts.length; i++) {
      const candidate = parts.slice(i).join('.');
      if (byMessage.has(candidate)) return candidate;
    }
    return null;
  };
  const out: Array<[string, readonly string[]]> = [];
  const walk = (message: string, prefix: string, seen: ReadonlySet<string>) => {
    for (const f of byMessage.get(message) ?? []) {
      const name = prefix === '' ? f.name : `${prefix}.${f.name}`;
      out.push([name, f.tags]);
      const target = resolve(f.type, message);
      if (target !== null && !seen.has(target) && seen.size < MAX_DEPTH) {
        walk(target, name, new Set([...seen, target]));
      }
    }
  };
  walk(root, '', new Set([root]));
  return out;
}
