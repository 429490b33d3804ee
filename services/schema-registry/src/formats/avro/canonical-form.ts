import type { AvroType, Field, LogicalType, NamedType, Props } from './avro-model.ts';
import { javaDouble, javaFloat } from './java-numbers.ts';
import type { JsonNode } from './json-reader.ts';
import { numberClass } from './json-reader.ts';

/** The text as written without insignificant whitespace (and comments): keys in order, numbers as written. */
export function compactJson(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return `{${[...node.entries].map(([k, v]) => `${JSON.stringify(k)}:${compactJson(v)}`).join(',')}}`;
    case 'array':
      return `[${node.items.map(compactJson).join(',')}]`;
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

/**
 * Avro's Parsing Canonical Form (the spec's transformation; Java's `SchemaNormalization.toParsingForm`):
 * primitives as plain names, full names without namespaces, only `name`, `type`, `fields`, `symbols`,
 * `items`, `values`, `size` in that order, a named type written out once and by its full name afterwards.
 */
export function parsingCanonicalForm(root: AvroType): string {
  const seen = new Set<string>();
  const out: string[] = [];
  const build = (t: AvroType): void => {
    switch (t.type) {
      case 'union':
        out.push('[');
        t.branches.forEach((b, i) => {
          if (i > 0) out.push(',');
          build(b);
        });
        out.push(']');
        return;
      case 'array':
        out.push('{"type":"array","items":');
        build(t.items);
        out.push('}');
        return;
      case 'map':
        out.push('{"type":"map","values":');
        build(t.values);
        out.push('}');
        return;
      case 'record':
      case 'enum':
      case 'fixed':
        if (seen.has(t.fullName)) {
          out.push(`"${t.fullName}"`);
          return;
        }
        seen.add(t.fullName);
        out.push(`{"name":"${t.fullName}","type":"${t.type}"`);
        if (t.type === 'enum') out.push(`,"symbols":[${t.symbols.map((s) => `"${s}"`).join(',')}]`);
        else if (t.type === 'fixed') out.push(`,"size":${t.size}`);
        else {
          out.push(',"fields":[');
          t.fields.forEach((f, i) => {
            out.push(`${i > 0 ? ',' : ''}{"name":"${f.name}","type":`);
            build(f.type);
            out.push('}');
          });
          out.push(']');
        }
        out.push('}');
        return;
      default:
        out.push(`"${t.type}"`);
    }
  };
  build(root);
  return out.join('');
}

/**
 * Confluent's normalized form (`AvroSchemaUtils.toNormalizedString`, which `normalize=true` uses): the
 * Parsing Canonical Form layout, plus what Confluent keeps: logical types (with decimal precision and
 * scale), `doc` (a named type's when not empty, a field's when present), `aliases` (sorted), enum and
 * field `default`s (as Java values: doubles like `1.0`, record and map keys sorted), and every other
 * attribute sorted by name (`confluent:tags`, `connect.name`, ...). Types from references are written by
 * name, as Confluent seeds its table with them. Two deliberate differences, neither changing which schemas
 * come out equal: a field's `order` is written only when not "ascending" (Confluent always writes it), and
 * `logicalType`/`precision`/`scale` are not written a second time among the other attributes (Confluent's
 * text repeats them, and its re-parse keeps one).
 */
export function confluentNormalizedForm(root: AvroType, fromReferences: ReadonlySet<string>): string {
  const seen = new Set<string>(fromReferences);
  const out: string[] = [];
  const build = (t: AvroType): void => {
    switch (t.type) {
      case 'union':
        out.push('[');
        t.branches.forEach((b, i) => {
          if (i > 0) out.push(',');
          build(b);
        });
        out.push(']');
        return;
      case 'array':
      case 'map':
        out.push(`{"type":"${t.type}",${t.type === 'array' ? '"items"' : '"values"'}:`);
        build(t.type === 'array' ? t.items : t.values);
        out.push(simpleProps(t.props, new Set()), '}');
        return;
      case 'record':
      case 'enum':
      case 'fixed':
        named(t);
        return;
      default: {
        if (t.logicalType) {
          out.push(
            `{"type":"${t.type}"`,
            logicalProps(t.logicalType),
            simpleProps(t.props, logicalKeys(t.logicalType)),
            '}',
          );
        } else if (t.props.size > 0) {
          out.push(`{"type":"${t.type}"`, simpleProps(t.props, new Set()), '}');
        } else {
          out.push(`"${t.type}"`);
        }
      }
    }
  };
  const named = (t: NamedType): void => {
    if (seen.has(t.fullName)) {
      out.push(`"${t.fullName}"`);
      return;
    }
    seen.add(t.fullName);
    out.push(`{"name":"${t.fullName}","type":"${t.type}"`);
    let skip = new Set<string>();
    if (t.type === 'enum') out.push(`,"symbols":[${t.symbols.map((s) => `"${s}"`).join(',')}]`);
    else if (t.type === 'fixed') {
      out.push(`,"size":${t.size}`);
      if (t.logicalType) {
        out.push(logicalProps(t.logicalType));
        skip = logicalKeys(t.logicalType);
      }
    } else {
      out.push(',"fields":[');
      t.fields.forEach((f, i) => {
        out.push(`${i > 0 ? ',' : ''}{"name":"${f.name}","type":`);
        build(f.type);
        out.push(fieldProps(f), '}');
      });
      out.push(']');
    }
    if (t.doc) out.push(`,"doc":${jacksonString(t.doc)}`);
    if (t.aliases.length > 0) out.push(`,"aliases":${sortedStrings(t.aliases)}`);
    if (t.type === 'enum' && t.enumDefault !== undefined)
      out.push(`,"default":${jacksonString(t.enumDefault)}`);
    out.push(simpleProps(t.props, skip), '}');
  };
  build(root);
  return out.join('');
}

function fieldProps(f: Field): string {
  let s = '';
  if (f.order !== 'ascending') s += `,"order":"${f.order}"`;
  if (f.doc !== undefined) s += `,"doc":${jacksonString(f.doc)}`;
  if (f.aliases.length > 0) s += `,"aliases":${sortedStrings(f.aliases)}`;
  const def = f.default === undefined ? undefined : javaValue(f.default, f.type);
  if (def !== undefined) s += `,"default":${def}`;
  return s + simpleProps(f.props, new Set());
}

function logicalProps(lt: LogicalType): string {
  let s = `,"logicalType":"${lt.name}"`;
  if (lt.name === 'decimal') {
    s += `,"precision":${lt.precision ?? 0}`;
    if (lt.scale) s += `,"scale":${lt.scale}`;
  }
  return s;
}

function logicalKeys(lt: LogicalType): Set<string> {
  const keys = new Set(['logicalType']);
  if (lt.name === 'decimal') {
    keys.add('precision');
    if (lt.scale) keys.add('scale');
  }
  return keys;
}

function simpleProps(props: Props, skip: ReadonlySet<string>): string {
  const keys = [...props.keys()].filter((k) => !skip.has(k)).sort(compareCodeUnits);
  return keys.map((k) => `,${jacksonString(k)}:${javaValue(props.get(k)!, undefined) ?? 'null'}`).join('');
}

function sortedStrings(values: readonly string[]): string {
  return `[${[...new Set(values)].sort(compareCodeUnits).map(jacksonString).join(',')}]`;
}

/** Java's `String.compareTo` order (UTF-16 code units), which `TreeMap`/`TreeSet` use. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A string as Jackson writes it: `"` and `\` escaped, control characters as `\n`-style or `\u00XX`. */
export function jacksonString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/["\\\u0000-\u001f]/.test(s)) return `"${s}"`;
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/["\\\u0000-\u001f]/g, (ch) => JACKSON_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`;
}

const JACKSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A JSON value as Confluent writes it back: Jackson converts it to a Java value for the type
 * (`JacksonUtils.toObject`: a union's value by its first branch, numbers by the type, bytes and fixed
 * through ISO-8859-1) and writes it with objects' keys sorted. Undefined when Java gets no value (a string
 * for an `int`, which an Avro 1.12 union default for a later branch can be): Confluent then writes no default.
 */
export function javaValue(node: JsonNode, type: AvroType | undefined): string | undefined {
  const t = type?.type === 'union' ? type.branches[0] : type;
  if (type?.type === 'union' && t === undefined) return node.kind === 'null' ? 'null' : undefined;
  const is = (...types: string[]) => t === undefined || types.includes(t.type);
  switch (node.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(node.value);
    case 'string':
      if (is('string', 'enum')) return jacksonString(node.value);
      // eslint-disable-next-line no-control-regex
      if (is('bytes', 'fixed')) return jacksonString(node.value.replace(/[^\x00-\xff]/g, '?'));
      return undefined;
    case 'number':
      return javaNumber(node.raw, t);
    case 'array': {
      if (t !== undefined && t.type !== 'array') return undefined;
      const items = t?.type === 'array' ? t.items : undefined;
      return `[${node.items.map((i) => javaValue(i, items) ?? 'null').join(',')}]`;
    }
    case 'object': {
      const keys = [...node.entries.keys()].sort(compareCodeUnits);
      const member = (k: string): AvroType | undefined =>
        t?.type === 'map' ? t.values : t?.type === 'record' ? t.fieldsByName.get(k)?.type : undefined;
      return `{${keys.map((k) => `${jacksonString(k)}:${javaValue(node.entries.get(k)!, member(k)) ?? 'null'}`).join(',')}}`;
    }
  }
}

function javaNumber(raw: string, t: AvroType | undefined): string | undefined {
  const c = numberClass(raw);
  const type = t?.type;
  const n = Number(raw);
  // Jackson writes the non-finite doubles as strings.
  const quoted = (text: string) => (/^-?(?:Infinity|NaN)$/.test(text) ? `"${text}"` : text);
  if (type === 'float') return quoted(javaFloat(n));
  if (type === 'double') return quoted(javaDouble(n));
  if (c === 'double') return type === undefined ? quoted(javaDouble(n)) : undefined;
  if (type === undefined || ((type === 'int' || type === 'long') && c !== 'bigint'))
    return BigInt(raw).toString();
  return undefined;
}
