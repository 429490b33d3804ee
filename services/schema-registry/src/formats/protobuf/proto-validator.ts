import { InvalidSchemaError } from '../schema-format.ts';
import { MAX_TAG_VALUE, SCALAR_TYPES, mapTypes } from './proto-ast.ts';
import type { EnumElement, FieldElement, MessageElement, ProtoFile, TypeElement } from './proto-ast.ts';
import { importsOf } from './proto-imports.ts';
import type { LoadedSchema } from './proto-imports.ts';
import type { TypeTable } from './type-table.ts';

/**
 * The checks a schema must pass beyond syntax. Confluent's registry only insists that every type name
 * resolves (its normalization fails otherwise); this adds that the defining file is imported, and refuses
 * what no protobuf runtime can load or what makes a diff ambiguous: a name declared twice in one scope,
 * a field number used twice or out of range, a map key that is not an integer, bool or string. It accepts,
 * as Confluent does, what only `protoc` refuses (reserved numbers in use, a proto3 enum not starting at 0).
 */

const MAP_KEY_TYPES = new Set([
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
]);
const FIRST_RESERVED = 19_000;
const LAST_RESERVED = 19_999;

const invalid = (message: string, path: string) => new InvalidSchemaError(`${path}: ${message}`, path);

export function validateSchema(schema: LoadedSchema, table: TypeTable): void {
  new Validator(schema, table).validate();
}

class Validator {
  readonly #file: ProtoFile;
  readonly #table: TypeTable;
  readonly #visible: Set<string>;

  constructor(schema: LoadedSchema, table: TypeTable) {
    this.#file = schema.root.file;
    this.#table = table;
    this.#visible = visibleFiles(schema);
  }

  validate(): void {
    const clash = this.#table.conflicts.find((c) => c.files.includes(''));
    if (clash) {
      const other = clash.files.find((f) => f !== '') ?? '';
      throw invalid(`'${clash.fullName}' is also defined in the imported file "${other}"`, clash.fullName);
    }
    const pkg = this.#file.packageName ?? '';
    this.#types(this.#file.types, pkg, [pkg]);
    for (const extend of this.#file.extendDeclarations) this.#extend(extend.name, extend.fields, [pkg]);
    for (const service of this.#file.services) {
      for (const rpc of service.rpcs) {
        for (const type of [rpc.requestType, rpc.responseType]) {
          const resolved = this.#resolve(type, [pkg], `${service.name}.${rpc.name}`);
          if (resolved.element.kind !== 'message')
            throw invalid(`'${type}' is an enum; rpc types must be messages`, `${service.name}.${rpc.name}`);
        }
      }
    }
  }

  #types(types: readonly TypeElement[], parent: string, scope: string[]): void {
    const names = new Set<string>();
    for (const type of types) {
      const fullName = parent ? `${parent}.${type.name}` : type.name;
      if (names.has(type.name)) throw invalid(`'${type.name}' is already defined`, fullName);
      names.add(type.name);
      if (type.kind === 'message') this.#message(type, fullName, [...scope, type.name]);
      else this.#enum(type, fullName);
    }
  }

  #message(message: MessageElement, path: string, scope: string[]): void {
    const fields = [...message.fields, ...message.oneOfs.flatMap((o) => o.fields)];
    const byTag = new Map<number, string>();
    const byName = new Set<string>();
    const numbered = [...fields, ...message.groups, ...message.oneOfs.flatMap((o) => o.groups)];
    for (const field of numbered) {
      const where = `${path}.${field.name}`;
      if (field.tag < 1 || field.tag > MAX_TAG_VALUE)
        throw invalid(`field number ${field.tag} is out of range (1 to ${MAX_TAG_VALUE})`, where);
      if (field.tag >= FIRST_RESERVED && field.tag <= LAST_RESERVED) {
        throw invalid(
          `field numbers ${FIRST_RESERVED} to ${LAST_RESERVED} are reserved for the protobuf implementation`,
          where,
        );
      }
      const other = byTag.get(field.tag);
      if (other !== undefined)
        throw invalid(`field number ${field.tag} is already used by '${other}'`, where);
      if (byName.has(field.name)) throw invalid(`field '${field.name}' is declared twice`, where);
      byTag.set(field.tag, field.name);
      byName.add(field.name);
    }
    for (const field of fields) this.#field(field, scope, `${path}.${field.name}`);
    for (const extend of message.extendDeclarations) this.#extend(extend.name, extend.fields, scope);
    this.#types(message.nestedTypes, path, scope);
  }

  #field(field: FieldElement, scope: string[], path: string): void {
    const map = mapTypes(field.type);
    if (map) {
      if (!MAP_KEY_TYPES.has(map.key))
        throw invalid(`'${map.key}' cannot be a map key (use an integer type, bool or string)`, path);
      if (!SCALAR_TYPES.has(map.value)) this.#resolve(map.value, scope, path);
      return;
    }
    if (!SCALAR_TYPES.has(field.type)) this.#resolve(field.type, scope, path);
  }

  #extend(name: string, fields: readonly FieldElement[], scope: string[]): void {
    const target = this.#resolve(name, scope, `extend ${name}`);
    if (target.element.kind !== 'message')
      throw invalid(`'${name}' is an enum and cannot be extended`, `extend ${name}`);
    for (const field of fields) this.#field(field, scope, `${name}.${field.name}`);
  }

  #enum(element: EnumElement, path: string): void {
    const names = new Set<string>();
    for (const constant of element.constants) {
      if (names.has(constant.name))
        throw invalid(`enum value '${constant.name}' is declared twice`, `${path}.${constant.name}`);
      names.add(constant.name);
    }
  }

  /** Resolves `name` as Confluent does and insists that it lives in a file this schema imports. */
  #resolve(name: string, scope: readonly string[], path: string) {
    const type = this.#table.resolveType(name, scope);
    if (!type)
      throw invalid(
        `could not resolve type '${name}' (is it defined, and is the file that defines it imported?)`,
        path,
      );
    if (!this.#visible.has(type.source.path)) {
      throw invalid(
        `type '${type.fullName}' comes from "${type.source.path}", which this schema does not import`,
        path,
      );
    }
    return type;
  }
}

/** The schema, its direct imports and what those re-export with `import public`. */
function visibleFiles(schema: LoadedSchema): Set<string> {
  const byPath = new Map(schema.dependencies.map((d) => [d.path, d]));
  const visible = new Set<string>(['']);
  const addPublic = (path: string) => {
    if (visible.has(path)) return;
    visible.add(path);
    for (const p of byPath.get(path)?.file.publicImports ?? []) addPublic(p);
  };
  for (const path of importsOf(schema.root.file)) addPublic(path);
  return visible;
}
