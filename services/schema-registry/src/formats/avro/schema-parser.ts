import { InvalidSchemaError } from '../schema-format.ts';
import type {
  AvroType,
  EnumType,
  Field,
  FixedType,
  NamedType,
  Primitive,
  PrimitiveType,
  Props,
  RecordType,
} from './avro-model.ts';
import { isPrimitive, PRIMITIVES, unionKey } from './avro-model.ts';
import { isValidDefault, javaParseDouble } from './default-values.ts';
import { javaDouble } from './java-numbers.ts';
import type { JsonNode, JsonObject } from './json-reader.ts';
import { numberClass, pointer } from './json-reader.ts';
import { logicalTypeOf } from './logical-types.ts';
import { lookupCandidates, qualify, requireName } from './names.ts';

/** Attributes Avro reserves (Java's `SCHEMA_RESERVED`, `ENUM_RESERVED`, `FIELD_RESERVED`). */
const SCHEMA_RESERVED = new Set([
  'doc',
  'fields',
  'items',
  'name',
  'namespace',
  'size',
  'symbols',
  'values',
  'type',
  'aliases',
]);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);
const ORDERS = new Set(['ascending', 'descending', 'ignore']);

type Path = (string | number)[];

/**
 * Builds Avro types from a JSON tree the way Java's `Schema.Parser` does (with `validateDefaults` and the
 * strict name validator): names must be defined before they are used (a record's own name is usable inside
 * it), unqualified names resolve in the enclosing namespace and then the null namespace, defaults are
 * checked against their field types, unions may not nest or repeat a type. One `SchemaParser` holds the
 * named types of a schema and of its references, which are parsed first into the same table.
 */
export class SchemaParser {
  readonly names = new Map<string, NamedType>();
  /** Full names of reference-defined types that the schema being parsed uses. */
  readonly referenced = new Set<string>();
  #definedIn: string | undefined;

  /** Parses one document; `definedIn` names the reference it comes from (undefined for the schema itself). */
  parseDocument(root: JsonNode, definedIn: string | undefined): AvroType {
    this.#definedIn = definedIn;
    this.#pending.clear();
    this.#done.clear();
    prescan(root, null, [], this.#pending);
    return this.#parse(root, null, []);
  }

  /** Named type definitions of the document being parsed, by full name, for names used before them. */
  readonly #pending = new Map<string, Pending>();
  /** Definitions already parsed out of order, so that meeting them again in place returns the same type. */
  readonly #done = new Map<JsonObject, NamedType>();

  #parse(node: JsonNode, space: string | null, path: Path): AvroType {
    switch (node.kind) {
      case 'string':
        return this.#byName(node.value, space, path);
      case 'object':
        return this.#object(node, space, path);
      case 'array':
        return this.#union(node.items, space, path);
      default:
        throw new InvalidSchemaError(
          'a schema must be a type name (a string), a type object or a union (an array)',
          pointer(path),
        );
    }
  }

  #byName(name: string, space: string | null, path: Path): AvroType {
    if (isPrimitive(name)) return primitive(name, NO_PROPS);
    const candidates = lookupCandidates(name, space);
    for (const full of candidates) {
      const found = this.names.get(full);
      if (found) {
        if (found.definedIn !== undefined && this.#definedIn === undefined) this.referenced.add(full);
        return found;
      }
    }
    // Avro 1.12 resolves names defined later in the document: parse that definition now.
    for (const full of candidates) {
      const later = this.#pending.get(full);
      if (later && !this.#done.has(later.node)) {
        this.#pending.delete(full);
        return this.#parse(later.node, later.space, later.path);
      }
    }
    throw new InvalidSchemaError(
      `undefined name: '${name}' (names must be defined before use, here or in a reference)`,
      pointer(path),
    );
  }

  #object(node: JsonObject, space: string | null, path: Path): AvroType {
    const typeNode = node.entries.get('type');
    if (typeNode?.kind !== 'string') {
      throw new InvalidSchemaError(
        typeNode === undefined ? "a type object needs a 'type'" : "'type' of a type object must be a string",
        pointer([...path, 'type']),
      );
    }
    const type = typeNode.value;
    if (isPrimitive(type)) return primitive(type, props(node, SCHEMA_RESERVED));
    const already = this.#done.get(node);
    if (already) return already;
    switch (type) {
      case 'record':
      case 'error':
        return this.#record(node, space, path, type === 'error');
      case 'enum':
        return this.#enum(node, space, path);
      case 'fixed':
        return this.#fixed(node, space, path);
      case 'array': {
        const items = node.entries.get('items');
        if (!items) throw new InvalidSchemaError("an array needs 'items'", pointer(path));
        return {
          type: 'array',
          items: this.#parse(items, space, [...path, 'items']),
          props: props(node, SCHEMA_RESERVED),
        };
      }
      case 'map': {
        const values = node.entries.get('values');
        if (!values) throw new InvalidSchemaError("a map needs 'values'", pointer(path));
        return {
          type: 'map',
          values: this.#parse(values, space, [...path, 'values']),
          props: props(node, SCHEMA_RESERVED),
        };
      }
      default:
        // Java: `{"type": "Name"}` names a defined type (its other attributes are ignored).
        return this.#byName(type, space, [...path, 'type']);
    }
  }

  #union(items: readonly JsonNode[], space: string | null, path: Path): AvroType {
    const branches: AvroType[] = [];
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const branch = this.#parse(item, space, [...path, i]);
      if (branch.type === 'union') {
        throw new InvalidSchemaError('a union may not contain a union (nested union)', pointer([...path, i]));
      }
      const key = unionKey(branch);
      if (seen.has(key)) {
        throw new InvalidSchemaError(
          `duplicate in union: '${key}' (a union holds one of each type, and named types by distinct names)`,
          pointer([...path, i]),
        );
      }
      seen.add(key);
      branches.push(branch);
    });
    return { type: 'union', branches };
  }

  #named(node: JsonObject, space: string | null, path: Path, what: string) {
    const nameNode = node.entries.get('name');
    if (nameNode?.kind !== 'string') {
      throw new InvalidSchemaError(`a ${what} needs a 'name' (a string)`, pointer([...path, 'name']));
    }
    const nsNode = node.entries.get('namespace');
    const ns = nsNode?.kind === 'string' ? nsNode.value : space;
    const q = qualify(nameNode.value, ns, `${what} name`, () => pointer([...path, 'name']));
    const docNode = node.entries.get('doc');
    return {
      ...q,
      doc: docNode?.kind === 'string' ? docNode.value : undefined,
      aliases: aliasesOf(node, path).map(
        (a) => qualify(a, q.namespace, 'alias', () => pointer([...path, 'aliases'])).fullName,
      ),
      definedIn: this.#definedIn,
    };
  }

  #define(t: NamedType, path: Path, node: JsonObject): void {
    this.#done.set(node, t);
    const existing = this.names.get(t.fullName);
    if (existing) {
      const where = existing.definedIn === undefined ? 'this schema' : `reference '${existing.definedIn}'`;
      throw new InvalidSchemaError(
        `can't redefine '${t.fullName}' (already defined in ${where})`,
        pointer(path),
      );
    }
    this.names.set(t.fullName, t);
  }

  #record(node: JsonObject, space: string | null, path: Path, isError: boolean): RecordType {
    const base = this.#named(node, space, path, 'record');
    const record: RecordType = {
      type: 'record',
      isError,
      ...base,
      props: props(node, SCHEMA_RESERVED),
      fields: [],
      fieldsByName: new Map(),
      open: true,
    };
    this.#define(record, path, node);
    const fieldsNode = node.entries.get('fields');
    if (fieldsNode?.kind !== 'array') {
      throw new InvalidSchemaError("a record needs 'fields' (an array)", pointer([...path, 'fields']));
    }
    const fields: Field[] = [];
    const byName = new Map<string, Field>();
    fieldsNode.items.forEach((fieldNode, pos) => {
      const field = this.#field(fieldNode, base.namespace, [...path, 'fields', pos], pos);
      if (byName.has(field.name)) {
        throw new InvalidSchemaError(
          `duplicate field '${field.name}' in record '${record.fullName}'`,
          pointer([...path, 'fields', pos, 'name']),
        );
      }
      byName.set(field.name, field);
      fields.push(field);
    });
    record.fields = fields;
    record.fieldsByName = byName;
    record.open = false;
    return record;
  }

  #field(node: JsonNode, space: string | null, path: Path, pos: number): Field {
    if (node.kind !== 'object') throw new InvalidSchemaError('a field must be an object', pointer(path));
    const nameNode = node.entries.get('name');
    if (nameNode?.kind !== 'string') {
      throw new InvalidSchemaError("a field needs a 'name' (a string)", pointer([...path, 'name']));
    }
    const name = requireName(nameNode.value, 'field name', () => pointer([...path, 'name']));
    const typeNode = node.entries.get('type');
    if (!typeNode) throw new InvalidSchemaError(`field '${name}' needs a 'type'`, pointer(path));
    const type = this.#parse(typeNode, space, [...path, 'type']);
    const orderNode = node.entries.get('order');
    let order: Field['order'] = 'ascending';
    if (orderNode !== undefined) {
      const o = orderNode.kind === 'string' ? orderNode.value.toLowerCase() : '';
      if (!ORDERS.has(o)) {
        throw new InvalidSchemaError(
          `field '${name}': 'order' must be "ascending", "descending" or "ignore"`,
          pointer([...path, 'order']),
        );
      }
      order = o as Field['order'];
    }
    let def = node.entries.get('default');
    const defaultPath = () => pointer([...path, 'default']);
    if (def?.kind === 'string' && (type.type === 'float' || type.type === 'double')) {
      const n = javaParseDouble(def.value);
      if (n === null)
        throw new InvalidSchemaError(`field '${name}': can't parse number '${def.value}'`, defaultPath());
      def = { kind: 'number', raw: javaDouble(n) };
    }
    if (def !== undefined && !isValidDefault(type, def, defaultPath)) {
      throw new InvalidSchemaError(
        `invalid default for field '${name}': ${describeValue(def)} is not a valid ${describeType(type)}`,
        defaultPath(),
      );
    }
    const docNode = node.entries.get('doc');
    return {
      name,
      type,
      doc: docNode?.kind === 'string' ? docNode.value : undefined,
      default: def,
      order,
      aliases: aliasesOf(node, path),
      props: props(node, FIELD_RESERVED),
      pos,
    };
  }

  #enum(node: JsonObject, space: string | null, path: Path): EnumType {
    const base = this.#named(node, space, path, 'enum');
    const symbolsNode = node.entries.get('symbols');
    if (symbolsNode?.kind !== 'array') {
      throw new InvalidSchemaError("an enum needs 'symbols' (an array)", pointer([...path, 'symbols']));
    }
    const symbols: string[] = [];
    const symbolSet = new Set<string>();
    symbolsNode.items.forEach((s, i) => {
      const at = () => pointer([...path, 'symbols', i]);
      if (s.kind !== 'string') throw new InvalidSchemaError('an enum symbol must be a string', at());
      requireName(s.value, 'enum symbol', at);
      if (symbolSet.has(s.value)) throw new InvalidSchemaError(`duplicate enum symbol '${s.value}'`, at());
      symbolSet.add(s.value);
      symbols.push(s.value);
    });
    const defNode = node.entries.get('default');
    // Java reads the default with `textValue()`: anything but a string means no default.
    const enumDefault = defNode?.kind === 'string' ? defNode.value : undefined;
    if (enumDefault !== undefined && !symbolSet.has(enumDefault)) {
      throw new InvalidSchemaError(
        `the enum default '${enumDefault}' is not one of the symbols [${symbols.join(', ')}]`,
        pointer([...path, 'default']),
      );
    }
    const t: EnumType = {
      type: 'enum',
      ...base,
      props: props(node, ENUM_RESERVED),
      symbols,
      symbolSet,
      enumDefault,
    };
    this.#define(t, path, node);
    return t;
  }

  #fixed(node: JsonObject, space: string | null, path: Path): FixedType {
    const base = this.#named(node, space, path, 'fixed');
    const sizeNode = node.entries.get('size');
    if (sizeNode?.kind !== 'number' || numberClass(sizeNode.raw) !== 'int' || Number(sizeNode.raw) < 0) {
      throw new InvalidSchemaError("a fixed needs a 'size' (a non-negative int)", pointer([...path, 'size']));
    }
    const size = Number(sizeNode.raw);
    const p = props(node, SCHEMA_RESERVED);
    const t: FixedType = {
      type: 'fixed',
      ...base,
      props: p,
      size,
      logicalType: logicalTypeOf('fixed', p, size),
    };
    this.#define(t, path, node);
    return t;
  }
}

function primitive(type: Primitive, p: Props): AvroType {
  if (p.size === 0) return PLAIN_PRIMITIVES.get(type) as PrimitiveType;
  return { type, logicalType: logicalTypeOf(type, p), props: p };
}

interface Pending {
  readonly node: JsonObject;
  readonly space: string | null;
  readonly path: Path;
}

const NAMED_KINDS = new Set(['record', 'error', 'enum', 'fixed']);

/**
 * Finds the named type definitions of a document (by full name, with the namespace they are defined in),
 * so that a name used before its definition can be parsed on demand. Invalid names are skipped here; the
 * parse reports them where they are.
 */
function prescan(node: JsonNode, space: string | null, path: Path, out: Map<string, Pending>): void {
  if (node.kind === 'array') {
    node.items.forEach((item, i) => prescan(item, space, [...path, i], out));
    return;
  }
  if (node.kind !== 'object') return;
  const type = node.entries.get('type');
  if (type?.kind !== 'string') return;
  let inner = space;
  if (NAMED_KINDS.has(type.value)) {
    const nameNode = node.entries.get('name');
    const nsNode = node.entries.get('namespace');
    if (nameNode?.kind !== 'string') return;
    const ns = nsNode?.kind === 'string' ? nsNode.value : space;
    const dot = nameNode.value.lastIndexOf('.');
    inner = (dot >= 0 ? nameNode.value.slice(0, dot) : ns) || null;
    const full = dot >= 0 ? nameNode.value : inner === null ? nameNode.value : `${inner}.${nameNode.value}`;
    if (!out.has(full)) out.set(full, { node, space, path });
  }
  if (type.value === 'record' || type.value === 'error') {
    const fields = node.entries.get('fields');
    if (fields?.kind !== 'array') return;
    fields.items.forEach((f, i) => {
      const t = f.kind === 'object' ? f.entries.get('type') : undefined;
      if (t) prescan(t, inner, [...path, 'fields', i, 'type'], out);
    });
  } else if (type.value === 'array') {
    const items = node.entries.get('items');
    if (items) prescan(items, space, [...path, 'items'], out);
  } else if (type.value === 'map') {
    const values = node.entries.get('values');
    if (values) prescan(values, space, [...path, 'values'], out);
  }
}

/** Shared by the many types without attributes of their own (parsed schemas stay cached in memory). */
const NO_PROPS: Props = new Map();

/**
 * A primitive without attributes is one shared object per type: unions of `"null"` and a primitive make up
 * most fields, and parsed schemas stay cached. Types are immutable and compared by kind, never by identity
 * (the compatibility memo keys named types only).
 */
const PLAIN_PRIMITIVES: ReadonlyMap<Primitive, PrimitiveType> = new Map(
  PRIMITIVES.map((type) => [type, Object.freeze({ type, logicalType: undefined, props: NO_PROPS })]),
);

function props(node: JsonObject, reserved: ReadonlySet<string>): Props {
  let out: Map<string, JsonNode> | undefined;
  for (const [k, v] of node.entries) {
    if (reserved.has(k)) continue;
    out ??= new Map();
    out.set(k, v);
  }
  return out ?? NO_PROPS;
}

const NO_ALIASES: readonly string[] = Object.freeze([]);

function aliasesOf(node: JsonObject, path: Path): readonly string[] {
  const a = node.entries.get('aliases');
  if (a === undefined || (a.kind === 'array' && a.items.length === 0)) return NO_ALIASES;
  if (a.kind !== 'array')
    throw new InvalidSchemaError("'aliases' must be an array", pointer([...path, 'aliases']));
  return a.items.map((item, i) => {
    if (item.kind !== 'string') {
      throw new InvalidSchemaError('an alias must be a string', pointer([...path, 'aliases', i]));
    }
    return item.value;
  });
}

function describeValue(v: JsonNode): string {
  switch (v.kind) {
    case 'string':
      return JSON.stringify(v.value.length > 40 ? `${v.value.slice(0, 40)}…` : v.value);
    case 'number':
      return v.raw.length > 40 ? `${v.raw.slice(0, 40)}…` : v.raw;
    case 'boolean':
      return String(v.value);
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
  }
}

function describeType(t: AvroType): string {
  if (t.type === 'union')
    return `value for any branch of the union [${t.branches.map(describeType).join(', ')}]`;
  if (t.type === 'record' || t.type === 'enum' || t.type === 'fixed') return `${t.type} ${t.fullName}`;
  return t.type;
}
