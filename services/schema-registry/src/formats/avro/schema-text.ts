import type { AvroType, NamedType, Props } from './avro-model.ts';
import { jacksonString } from './canonical-form.ts';
import { javaDouble } from './java-numbers.ts';
import type { JsonNode } from './json-reader.ts';
import { numberClass } from './json-reader.ts';

/** Java's `Schema.Type` names: a type named like one is always written with its namespace. */
const TYPE_NAMES = new Set([
  'record',
  'enum',
  'array',
  'map',
  'union',
  'fixed',
  'string',
  'bytes',
  'int',
  'long',
  'float',
  'double',
  'boolean',
  'null',
]);

/**
 * Avro's `Schema.toString()` (Java's JSON writer), which is Confluent's `AvroSchema.canonicalString()`: the
 * text Confluent stores, returns from `GET /schemas/ids/{id}` and compares when registering without
 * `normalize`. Primitives without attributes become names (`{"type":"string"}` is `"string"`), attributes come
 * in Avro's order (`type`, `name`, `namespace`, `doc`, `fields`/`symbols`/`size`/`items`/`values`, then other
 * attributes as written, then `aliases`), names are written relative to the enclosing namespace, a named type
 * after its first appearance by name, defaults as Jackson writes the parsed values (`1.50` is `1.5`).
 * Types from references are written by name (`known`), as Confluent passes them to `toString`.
 */
export function avroSchemaString(root: AvroType, known: ReadonlySet<string>): string {
  const seen = new Set<string>(known);
  let space: string | null = null;
  const out: string[] = [];

  const qualified = (t: { name: string; namespace: string | null; fullName: string }): string =>
    t.namespace !== null && t.namespace === space && !TYPE_NAMES.has(t.name) ? t.name : t.fullName;

  const nameFields = (t: NamedType): string => {
    let s = `,"name":${jacksonString(t.name)}`;
    if (t.namespace !== null) {
      if (t.namespace !== space) s += `,"namespace":${jacksonString(t.namespace)}`;
    } else if (space !== null) {
      s += ',"namespace":""';
    }
    if (t.doc !== undefined) s += `,"doc":${jacksonString(t.doc)}`;
    return s;
  };

  const aliases = (t: NamedType): string => {
    if (t.aliases.length === 0) return '';
    const own = t.namespace;
    const names = [...new Set(t.aliases)].map((full) => {
      const dot = full.lastIndexOf('.');
      const ns = dot < 0 ? null : full.slice(0, dot);
      const name = dot < 0 ? full : full.slice(dot + 1);
      return ns !== null && ns === own && !TYPE_NAMES.has(name) ? name : full;
    });
    return `,"aliases":[${names.map(jacksonString).join(',')}]`;
  };

  const write = (t: AvroType): void => {
    switch (t.type) {
      case 'union':
        out.push('[');
        t.branches.forEach((b, i) => {
          if (i > 0) out.push(',');
          write(b);
        });
        out.push(']');
        return;
      case 'array':
        out.push('{"type":"array","items":');
        write(t.items);
        out.push(props(t.props), '}');
        return;
      case 'map':
        out.push('{"type":"map","values":');
        write(t.values);
        out.push(props(t.props), '}');
        return;
      case 'record':
      case 'enum':
      case 'fixed': {
        if (seen.has(t.fullName)) {
          out.push(jacksonString(qualified(t)));
          return;
        }
        seen.add(t.fullName);
        if (t.type === 'enum') {
          out.push(`{"type":"enum"${nameFields(t)},"symbols":[${t.symbols.map(jacksonString).join(',')}]`);
          if (t.enumDefault !== undefined) out.push(`,"default":${jacksonString(t.enumDefault)}`);
          out.push(props(t.props), aliases(t), '}');
          return;
        }
        if (t.type === 'fixed') {
          out.push(`{"type":"fixed"${nameFields(t)},"size":${t.size}`, props(t.props), aliases(t), '}');
          return;
        }
        const saved = space;
        out.push(`{"type":"${t.isError ? 'error' : 'record'}"${nameFields(t)},"fields":[`);
        space = t.namespace;
        t.fields.forEach((f, i) => {
          out.push(`${i > 0 ? ',' : ''}{"name":${jacksonString(f.name)},"type":`);
          write(f.type);
          if (f.doc !== undefined) out.push(`,"doc":${jacksonString(f.doc)}`);
          if (f.default !== undefined) out.push(`,"default":${jacksonJson(f.default)}`);
          if (f.order !== 'ascending') out.push(`,"order":"${f.order}"`);
          if (f.aliases.length > 0)
            out.push(`,"aliases":[${[...new Set(f.aliases)].map(jacksonString).join(',')}]`);
          out.push(props(f.props), '}');
        });
        out.push(']', props(t.props), aliases(t), '}');
        space = saved;
        return;
      }
      default:
        out.push(t.props.size === 0 ? `"${t.type}"` : `{"type":"${t.type}"${props(t.props)}}`);
    }
  };
  write(root);
  return out.join('');
}

function props(p: Props): string {
  let s = '';
  for (const [k, v] of p) s += `,${jacksonString(k)}:${jacksonJson(v)}`;
  return s;
}

/** A parsed JSON value as Jackson writes its tree: keys in order, doubles as Java prints them. */
function jacksonJson(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return `{${[...node.entries].map(([k, v]) => `${jacksonString(k)}:${jacksonJson(v)}`).join(',')}}`;
    case 'array':
      return `[${node.items.map(jacksonJson).join(',')}]`;
    case 'string':
      return jacksonString(node.value);
    case 'number': {
      if (numberClass(node.raw) !== 'double') return BigInt(node.raw).toString();
      const text = javaDouble(Number(node.raw));
      return /^-?(?:Infinity|NaN)$/.test(text) ? `"${text}"` : text;
    }
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
  }
}
