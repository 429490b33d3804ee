/**
 * The parsed form of a `.proto` file. It mirrors Square Wire's `ProtoFileElement` (the parser Confluent's
 * registry uses), because Confluent's canonical text and its compatibility rules are defined over that
 * shape: labels stay `null` when none is written, `default`/`json_name` are pulled out of the options, and
 * messages and enums keep their declaration order (message indexes depend on it).
 */

export type Syntax = 'proto2' | 'proto3';
export type Label = 'optional' | 'required' | 'repeated';

export interface SourcePosition {
  line: number;
  column: number;
}

export type OptionValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'boolean'; value: string }
  | { kind: 'enum'; value: string }
  | { kind: 'map'; value: OptionMap }
  | { kind: 'list'; value: OptionValue[] }
  /** `(foo).bar = 1`: the part after the dot, as an option of its own. */
  | { kind: 'option'; value: OptionElement };

/** A text-format message literal; insertion order is the written order. */
export type OptionMap = Map<string, OptionValue>;

export interface OptionElement {
  /** Without parentheses: `confluent.field_meta`, `java_package`, `[ext.name]` inside maps. */
  name: string;
  parenthesized: boolean;
  value: OptionValue;
}

export interface FieldElement {
  name: string;
  tag: number;
  label: Label | null;
  /** As written: `string`, `.shop.Customer`, `map<string, int32>`. */
  type: string;
  options: OptionElement[];
  defaultValue: string | null;
  jsonName: string | null;
  doc: string;
  position: SourcePosition;
}

export interface GroupElement {
  name: string;
  tag: number;
  label: Label | null;
  fields: FieldElement[];
  doc: string;
  position: SourcePosition;
}

export interface OneOfElement {
  name: string;
  fields: FieldElement[];
  groups: GroupElement[];
  options: OptionElement[];
  doc: string;
  position: SourcePosition;
}

export type ReservedValue =
  | { kind: 'tag'; value: number }
  | { kind: 'range'; start: number; end: number }
  | { kind: 'name'; value: string };

export interface ReservedElement {
  values: ReservedValue[];
  position: SourcePosition;
}

export interface ExtensionsElement {
  values: Array<Extract<ReservedValue, { kind: 'tag' | 'range' }>>;
  options: OptionElement[];
  position: SourcePosition;
}

export interface ExtendElement {
  /** The extended message, as written. */
  name: string;
  fields: FieldElement[];
  doc: string;
  position: SourcePosition;
}

export interface MessageElement {
  kind: 'message';
  name: string;
  fields: FieldElement[];
  oneOfs: OneOfElement[];
  groups: GroupElement[];
  nestedTypes: TypeElement[];
  options: OptionElement[];
  reserveds: ReservedElement[];
  extensions: ExtensionsElement[];
  extendDeclarations: ExtendElement[];
  doc: string;
  position: SourcePosition;
}

export interface EnumConstantElement {
  name: string;
  tag: number;
  options: OptionElement[];
  doc: string;
  position: SourcePosition;
}

export interface EnumElement {
  kind: 'enum';
  name: string;
  constants: EnumConstantElement[];
  options: OptionElement[];
  reserveds: ReservedElement[];
  doc: string;
  position: SourcePosition;
}

export type TypeElement = MessageElement | EnumElement;

export interface RpcElement {
  name: string;
  requestType: string;
  responseType: string;
  requestStreaming: boolean;
  responseStreaming: boolean;
  options: OptionElement[];
  doc: string;
  position: SourcePosition;
}

export interface ServiceElement {
  name: string;
  rpcs: RpcElement[];
  options: OptionElement[];
  doc: string;
  position: SourcePosition;
}

export interface ProtoFile {
  syntax: Syntax | null;
  packageName: string | null;
  imports: string[];
  publicImports: string[];
  weakImports: string[];
  options: OptionElement[];
  types: TypeElement[];
  extendDeclarations: ExtendElement[];
  services: ServiceElement[];
}

/** The highest field number protobuf allows; `max` in `reserved`/`extensions` ranges means this. */
export const MAX_TAG_VALUE = 536_870_911;

export const SCALAR_TYPES: ReadonlySet<string> = new Set([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

/** `map<K, V>` as Wire writes it, split; null for anything else. */
export function mapTypes(type: string): { key: string; value: string } | null {
  const m = /^map<\s*([^,\s]+)\s*,\s*([^>\s]+)\s*>$/.exec(type);
  return m ? { key: m[1]!, value: m[2]! } : null;
}
