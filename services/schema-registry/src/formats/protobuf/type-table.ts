import type { FieldElement, MessageElement, ProtoFile, TypeElement } from './proto-ast.ts';
import type { LoadedFile } from './proto-imports.ts';

/** A message or enum with where it was declared. */
export interface TypeInfo {
  /** Package-qualified, without a leading dot: `shop.Customer.Address`. */
  fullName: string;
  element: TypeElement;
  packageName: string;
  source: LoadedFile;
  /** A message carrying `option map_entry = true` (only descriptor-generated text has these). */
  isMap: boolean;
}

/** A field declared in an `extend` block: custom options such as `confluent.field_meta`. */
export interface ExtensionInfo {
  fullName: string;
  field: FieldElement;
  repeated: boolean;
}

/**
 * Every type and extension of a schema and its imports, by full name, with Confluent's name resolution
 * (`Context.resolve`): a relative name is tried in the innermost scope first, then each enclosing one,
 * where the package counts as one scope.
 */
export class TypeTable {
  readonly types = new Map<string, TypeInfo>();
  readonly extensions = new Map<string, ExtensionInfo>();
  /** Types declared twice (in two files); the first declaration is the one kept. */
  readonly conflicts: Array<{ fullName: string; files: [string, string] }> = [];

  constructor(files: readonly LoadedFile[]) {
    for (const source of files) this.#collect(source, source.file);
  }

  #collect(source: LoadedFile, file: ProtoFile): void {
    const packageName = file.packageName ?? '';
    const qualify = (name: string, parent: string) => (parent ? `${parent}.${name}` : name);
    const addExtensions = (fields: readonly FieldElement[], scope: string) => {
      for (const field of fields) {
        const fullName = qualify(field.name, scope);
        if (!this.extensions.has(fullName))
          this.extensions.set(fullName, { fullName, field, repeated: field.label === 'repeated' });
      }
    };
    const visit = (types: readonly TypeElement[], parent: string) => {
      for (const element of types) {
        const fullName = qualify(element.name, parent);
        const existing = this.types.get(fullName);
        if (!existing) {
          this.types.set(fullName, {
            fullName,
            element,
            packageName,
            source,
            isMap: element.kind === 'message' && isMapEntry(element),
          });
        } else if (existing.source !== source) {
          this.conflicts.push({ fullName, files: [existing.source.path, source.path] });
        }
        if (element.kind === 'message') {
          for (const extend of element.extendDeclarations) addExtensions(extend.fields, fullName);
          visit(element.nestedTypes, fullName);
        }
      }
    };
    visit(file.types, packageName);
    for (const extend of file.extendDeclarations) addExtensions(extend.fields, packageName);
  }

  /**
   * The full name `name` refers to from `scope` (the package, then enclosing message names), or null.
   * `lookup` picks the namespace: types (default) or extensions.
   */
  resolve(
    name: string,
    scope: readonly string[],
    lookup: (fullName: string) => boolean = (n) => this.types.has(n),
  ): string | null {
    if (name.startsWith('.')) return lookup(name.slice(1)) ? name.slice(1) : null;
    const prefix = scope.filter((s) => s.length > 0);
    for (let n = prefix.length; n > 0; n--) {
      const candidate = `${prefix.slice(0, n).join('.')}.${name}`;
      if (lookup(candidate)) return candidate;
    }
    return lookup(name) ? name : null;
  }

  resolveType(name: string, scope: readonly string[]): TypeInfo | null {
    const fullName = this.resolve(name, scope);
    return fullName === null ? null : (this.types.get(fullName) ?? null);
  }

  resolveExtension(name: string, scope: readonly string[]): ExtensionInfo | null {
    const fullName = this.resolve(name, scope, (n) => this.extensions.has(n));
    return fullName === null ? null : (this.extensions.get(fullName) ?? null);
  }
}

function isMapEntry(message: MessageElement): boolean {
  return message.options.some(
    (o) =>
      o.name === 'map_entry' && !o.parenthesized && o.value.kind === 'boolean' && o.value.value === 'true',
  );
}
