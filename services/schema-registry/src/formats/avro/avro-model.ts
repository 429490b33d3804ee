import type { JsonNode } from './json-reader.ts';

/** Avro's primitive types, by the names the spec (and Java's `Schema.Type`) gives them. */
export const PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
export type Primitive = (typeof PRIMITIVES)[number];

export function isPrimitive(name: string): name is Primitive {
  return (PRIMITIVES as readonly string[]).includes(name);
}

/** Attributes other than the ones Avro reserves, in written order (Java's `getObjectProps()`). */
export type Props = ReadonlyMap<string, JsonNode>;

/** A logical type Java's `LogicalTypes.fromSchemaIgnoreInvalid` accepts; invalid ones are plain attributes. */
export interface LogicalType {
  readonly name: string;
  /** Decimal only. */
  readonly precision?: number;
  readonly scale?: number;
}

export interface PrimitiveType {
  readonly type: Primitive;
  readonly logicalType: LogicalType | undefined;
  readonly props: Props;
}

export interface ArrayType {
  readonly type: 'array';
  readonly items: AvroType;
  readonly props: Props;
}

export interface MapType {
  readonly type: 'map';
  readonly values: AvroType;
  readonly props: Props;
}

export interface UnionType {
  readonly type: 'union';
  readonly branches: readonly AvroType[];
}

interface NamedBase {
  /** The unqualified name. */
  readonly name: string;
  readonly namespace: string | null;
  readonly fullName: string;
  /** Full names (aliases are resolved against the type's namespace, as Java does). */
  readonly aliases: readonly string[];
  readonly doc: string | undefined;
  readonly props: Props;
  /** The reference (its `name`) the type was defined in; undefined when this schema defines it. */
  readonly definedIn: string | undefined;
}

export interface Field {
  readonly name: string;
  readonly type: AvroType;
  readonly doc: string | undefined;
  /** The default as written (validated against `type`); undefined when the field has none. */
  readonly default: JsonNode | undefined;
  readonly order: 'ascending' | 'descending' | 'ignore';
  /** Field aliases, as written (Java keeps them unqualified). */
  readonly aliases: readonly string[];
  readonly props: Props;
  /** Position in the record, as Java's `Field.pos()`. */
  readonly pos: number;
}

export interface RecordType extends NamedBase {
  readonly type: 'record';
  readonly isError: boolean;
  /** Filled while parsing (a record's fields can refer to the record itself). */
  fields: readonly Field[];
  fieldsByName: ReadonlyMap<string, Field>;
  /** True until the record's fields are all parsed (defaults cannot look into a record still open). */
  open: boolean;
}

export interface EnumType extends NamedBase {
  readonly type: 'enum';
  readonly symbols: readonly string[];
  readonly symbolSet: ReadonlySet<string>;
  readonly enumDefault: string | undefined;
}

export interface FixedType extends NamedBase {
  readonly type: 'fixed';
  readonly size: number;
  readonly logicalType: LogicalType | undefined;
}

export type NamedType = RecordType | EnumType | FixedType;
export type AvroType = PrimitiveType | ArrayType | MapType | UnionType | NamedType;

export function isNamed(t: AvroType): t is NamedType {
  return t.type === 'record' || t.type === 'enum' || t.type === 'fixed';
}

/**
 * Java's `Schema.getFullName()`: the full name of a named type, the type name otherwise (it is what a union
 * uses to tell its branches apart, so two arrays, two maps or two `long`s in one union clash).
 */
export function unionKey(t: AvroType): string {
  return isNamed(t) ? t.fullName : t.type;
}

/** Java's `Schema.Type` name, as compatibility messages print it (`RECORD`, `INT`). */
export function typeName(t: AvroType): string {
  return t.type.toUpperCase();
}

/** `ParsedSchema.model` for Avro: the root type and the named types this schema and its references define. */
export class AvroModel {
  readonly root: AvroType;
  /** Every named type by full name, references included. */
  readonly names: ReadonlyMap<string, NamedType>;

  constructor(root: AvroType, names: ReadonlyMap<string, NamedType>) {
    this.root = root;
    this.names = names;
  }
}
