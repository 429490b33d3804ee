import { InvalidSchemaError } from '../schema-format.ts';
import { MAX_TAG_VALUE, SCALAR_TYPES, mapTypes } from './proto-ast.ts';
import type {
  EnumConstantElement,
  EnumElement,
  ExtendElement,
  ExtensionsElement,
  FieldElement,
  GroupElement,
  MessageElement,
  OneOfElement,
  OptionElement,
  OptionValue,
  ProtoFile,
  ReservedElement,
  ReservedValue,
  RpcElement,
  ServiceElement,
  TypeElement,
} from './proto-ast.ts';
import { normalizeOptions } from './option-normalizer.ts';
import { bracketed, compareStrings, formatOption, indent } from './option-printer.ts';
import type { OptionStyle } from './option-printer.ts';
import type { TypeTable } from './type-table.ts';

/**
 * Prints a file as Confluent's `ProtobufSchemaUtils.toString` does. Without `normalize` this is Confluent's
 * `canonicalString()`: declaration order kept, comments and formatting dropped, messages before enums in
 * each scope. With `normalize` it is `normalize().canonicalString()`: type names fully qualified, fields,
 * enum values, reserved ranges, imports and options sorted, custom options merged. Message order is never
 * changed: serialized message indexes refer to it.
 */
export function printProto(file: ProtoFile, table: TypeTable, normalize: boolean): string {
  return new ProtoPrinter(table, normalize, file.packageName ?? '').file(file);
}

type Reservation = Extract<ReservedValue, { kind: 'tag' | 'range' }>;

class ProtoPrinter {
  readonly #table: TypeTable;
  readonly #normalize: boolean;
  readonly #scope: string[];

  constructor(table: TypeTable, normalize: boolean, packageName: string) {
    this.#table = table;
    this.#normalize = normalize;
    this.#scope = [packageName];
  }

  file(file: ProtoFile): string {
    let sb = '';
    if (file.syntax !== null && (!this.#normalize || file.syntax === 'proto3'))
      sb += `syntax = "${file.syntax}";\n`;
    if (file.packageName !== null) sb += `package ${file.packageName};\n`;
    if (file.imports.length + file.publicImports.length + file.weakImports.length > 0) {
      sb += '\n';
      const order = (list: string[]) => (this.#normalize ? [...new Set(list)].sort(compareStrings) : list);
      for (const path of order(file.imports)) sb += `import "${path}";\n`;
      for (const path of order(file.publicImports)) sb += `import public "${path}";\n`;
      for (const path of order(file.weakImports)) sb += `import weak "${path}";\n`;
    }
    const options = this.#options(file.options);
    if (options.length > 0) sb += `\n${options.map((o) => this.#optionStatement(o)).join('')}`;
    if (file.types.length > 0) sb += `\n${this.#types(file.types)}`;
    if (file.extendDeclarations.length > 0) sb += `\n${this.#extends(file.extendDeclarations).join('')}`;
    if (file.services.length > 0) sb += `\n${file.services.map((s) => this.#service(s)).join('')}`;
    return sb;
  }

  #types(types: readonly TypeElement[], indented = false): string {
    const visible = this.#normalize
      ? types.filter((t) => t.kind !== 'message' || !this.#isMapEntry(t.name))
      : types;
    const out = (text: string) => (indented ? indent(text) : text);
    let sb = '';
    for (const t of visible) if (t.kind === 'message') sb += this.#named(t.name, () => out(this.#message(t)));
    for (const t of visible) if (t.kind === 'enum') sb += this.#named(t.name, () => out(this.#enum(t)));
    return sb;
  }

  #message(message: MessageElement): string {
    let sb = `message ${message.name} {`;
    if (message.reserveds.length > 0) sb += `\n${this.#reserveds(message.reserveds).map(indent).join('')}`;
    const options = this.#options(message.options);
    if (options.length > 0) sb += `\n${options.map((o) => indent(this.#optionStatement(o))).join('')}`;
    if (message.fields.length > 0)
      sb += `\n${this.#byTag(message.fields)
        .map((f) => indent(this.#field(f)))
        .join('')}`;
    if (message.oneOfs.length > 0) {
      let oneOfs: readonly OneOfElement[] = message.oneOfs;
      if (this.#normalize) {
        oneOfs = oneOfs
          .filter((o) => o.fields.length > 0)
          .map((o) => ({ ...o, fields: [...this.#byTag(o.fields)] }))
          .sort((a, b) => a.fields[0]!.tag - b.fields[0]!.tag);
      }
      sb += `\n${oneOfs.map((o) => indent(this.#oneOf(o))).join('')}`;
    }
    if (message.groups.length > 0)
      sb += `\n${this.#byTag(message.groups)
        .map((g) => indent(this.#group(g)))
        .join('')}`;
    if (message.extensions.length > 0) sb += `\n${this.#extensions(message.extensions).map(indent).join('')}`;
    if (message.extendDeclarations.length > 0)
      sb += `\n${this.#extends(message.extendDeclarations).map(indent).join('')}`;
    if (message.nestedTypes.length > 0) sb += `\n${this.#types(message.nestedTypes, true)}`;
    return `${sb}}\n`;
  }

  #field(field: FieldElement): string {
    let label = field.label;
    let type = field.type;
    if (this.#normalize) {
      const map = mapTypes(type);
      if (map) {
        const value = this.#table.resolve(map.value, this.#scope);
        type = `map<${map.key}, ${value === null ? map.value : `.${value}`}>`;
        label = null;
      } else if (!SCALAR_TYPES.has(type)) {
        type = `.${this.#resolveType(type)}`;
      }
    }
    let sb = `${label ? `${label} ` : ''}${type} ${field.name} = ${field.tag}`;
    const special: OptionElement[] = [...field.options];
    if (field.defaultValue !== null) {
      special.push({
        name: 'default',
        parenthesized: false,
        value: defaultValue(field.type, field.defaultValue),
      });
    }
    if (field.jsonName !== null) {
      special.push({
        name: 'json_name',
        parenthesized: false,
        value: { kind: 'string', value: field.jsonName },
      });
    }
    const options = this.#options(special);
    if (options.length > 0) sb += ` ${this.#optionList(options)}`;
    return `${sb};\n`;
  }

  #oneOf(oneOf: OneOfElement): string {
    let sb = `oneof ${oneOf.name} {`;
    const options = this.#options(oneOf.options);
    if (options.length > 0) sb += `\n${options.map((o) => indent(this.#optionStatement(o))).join('')}`;
    if (oneOf.fields.length > 0) sb += `\n${oneOf.fields.map((f) => indent(this.#field(f))).join('')}`;
    if (oneOf.groups.length > 0)
      sb += `\n${this.#byTag(oneOf.groups)
        .map((g) => indent(this.#group(g)))
        .join('')}`;
    return `${sb}}\n`;
  }

  #group(group: GroupElement): string {
    let sb = `${group.label ? `${group.label} ` : ''}group ${group.name} = ${group.tag} {`;
    if (group.fields.length > 0)
      sb += `\n${this.#byTag(group.fields)
        .map((f) => indent(this.#field(f)))
        .join('')}`;
    return `${sb}}\n`;
  }

  #enum(element: EnumElement): string {
    let sb = `enum ${element.name} {`;
    if (element.reserveds.length > 0) sb += `\n${this.#reserveds(element.reserveds).map(indent).join('')}`;
    if (element.reserveds.length === 0 && (element.options.length > 0 || element.constants.length > 0))
      sb += '\n';
    sb += this.#options(element.options)
      .map((o) => indent(this.#optionStatement(o)))
      .join('');
    let constants: readonly EnumConstantElement[] = element.constants;
    if (this.#normalize)
      constants = [...constants].sort((a, b) => a.tag - b.tag || compareStrings(a.name, b.name));
    for (const constant of constants) {
      const options = this.#options(constant.options);
      sb += indent(
        `${constant.name} = ${constant.tag}${options.length > 0 ? ` ${this.#optionList(options)}` : ''};\n`,
      );
    }
    return `${sb}}\n`;
  }

  #reserveds(reserveds: readonly ReservedElement[]): string[] {
    let lists = reserveds.map((r) => r.values);
    if (this.#normalize) {
      const key = (v: ReservedValue) =>
        v.kind === 'tag' ? v.value : v.kind === 'range' ? v.start : Number.MAX_SAFE_INTEGER;
      const text = (v: ReservedValue) => (v.kind === 'range' ? `${v.start}..${v.end}` : String(v.value));
      lists = lists
        .flat()
        .sort((a, b) => key(a) - key(b) || compareStrings(text(a), text(b)))
        .map((v) => [v]);
    }
    return lists.map(
      (values) =>
        `reserved ${values.map((v) => (v.kind === 'name' ? `"${v.value}"` : this.#range(v))).join(', ')};\n`,
    );
  }

  #extensions(extensions: readonly ExtensionsElement[]): string[] {
    let lists: Reservation[][] = extensions.map((e) => e.values);
    if (this.#normalize) {
      const key = (v: Reservation) => (v.kind === 'tag' ? v.value : v.start);
      lists = lists
        .flat()
        .sort((a, b) => key(a) - key(b))
        .map((v) => [v]);
    }
    return lists.map((values) => `extensions ${values.map((v) => this.#range(v)).join(', ')};\n`);
  }

  #range(v: Reservation): string {
    if (v.kind === 'tag') return String(v.value);
    if (this.#normalize && v.start === v.end) return String(v.start);
    return `${v.start} to ${v.end < MAX_TAG_VALUE ? v.end : 'max'}`;
  }

  #extends(extendDeclarations: readonly ExtendElement[]): string[] {
    let blocks: ReadonlyArray<{ name: string; fields: readonly FieldElement[] }> = extendDeclarations;
    if (this.#normalize) {
      const byName = new Map<string, FieldElement[]>();
      for (const e of extendDeclarations) {
        const name = `.${this.#resolveType(e.name)}`;
        byName.set(name, [...(byName.get(name) ?? []), ...e.fields]);
      }
      blocks = [...byName.entries()].map(([name, fields]) => ({ name, fields }));
    }
    return blocks.map(({ name, fields }) => {
      const body =
        fields.length > 0
          ? `\n${this.#byTag(fields)
              .map((f) => indent(this.#field(f)))
              .join('')}`
          : '';
      return `extend ${name} {${body}}\n`;
    });
  }

  #service(service: ServiceElement): string {
    let sb = `service ${service.name} {`;
    const options = this.#options(service.options);
    if (options.length > 0) sb += `\n${options.map((o) => indent(this.#optionStatement(o))).join('')}`;
    if (service.rpcs.length > 0) sb += `\n${service.rpcs.map((r) => indent(this.#rpc(r))).join('')}`;
    return `${sb}}\n`;
  }

  #rpc(rpc: RpcElement): string {
    const type = (name: string) => (this.#normalize ? `.${this.#resolveType(name)}` : name);
    let sb = `rpc ${rpc.name} (${rpc.requestStreaming ? 'stream ' : ''}${type(rpc.requestType)}) returns (`;
    sb += `${rpc.responseStreaming ? 'stream ' : ''}${type(rpc.responseType)})`;
    const options = this.#options(rpc.options);
    if (options.length > 0) sb += ` {\n${options.map((o) => indent(this.#optionStatement(o))).join('')}}`;
    return `${sb};\n`;
  }

  #options(options: readonly OptionElement[]): OptionElement[] {
    if (!this.#normalize || options.length === 0) return [...options];
    return normalizeOptions(options, (name) => this.#table.resolveExtension(name, this.#scope));
  }

  #optionStatement(option: OptionElement): string {
    return `option ${formatOption(option, this.#style())};\n`;
  }

  #optionList(options: readonly OptionElement[]): string {
    return bracketed(
      options.map((o): OptionValue => ({ kind: 'option', value: o })),
      this.#style(),
    );
  }

  #style(): OptionStyle {
    return {
      normalize: this.#normalize,
      resolveExtension: (name) => this.#table.resolveExtension(name, this.#scope)?.fullName ?? null,
    };
  }

  #byTag<T extends { tag: number }>(items: readonly T[]): readonly T[] {
    return this.#normalize ? [...items].sort((a, b) => a.tag - b.tag) : items;
  }

  #named(name: string, print: () => string): string {
    this.#scope.push(name);
    try {
      return print();
    } finally {
      this.#scope.pop();
    }
  }

  #isMapEntry(name: string): boolean {
    return this.#table.resolveType(name, this.#scope)?.isMap ?? false;
  }

  #resolveType(name: string): string {
    const resolved = this.#table.resolve(name, this.#scope);
    if (resolved === null) throw new InvalidSchemaError(`could not resolve type '${name}'`, name);
    return resolved;
  }
}

/** Wire prints a field's default with the kind its type implies (`toKind` in Confluent's printer). */
function defaultValue(type: string, value: string): OptionValue {
  if (type === 'string') return { kind: 'string', value };
  if (type === 'bool') return { kind: 'boolean', value };
  if (SCALAR_TYPES.has(type)) return { kind: 'number', value };
  return { kind: 'enum', value };
}
