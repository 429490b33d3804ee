import type { FieldInfo, NamedType } from '../schema-format.ts';
import { mapTypes } from './proto-ast.ts';
import type { FieldElement, ProtoFile, TypeElement } from './proto-ast.ts';
import { confluentMeta } from './field-meta.ts';
import { importsOf } from './proto-imports.ts';

/**
 * What lint and data contracts read from a Protobuf schema: every field of every message declared in it
 * (oneof members included, imports excluded), every message and enum, and its imports.
 */

export interface SchemaFacts {
  fields: FieldInfo[];
  namedTypes: NamedType[];
  referencedNames: string[];
}

export function schemaFacts(file: ProtoFile): SchemaFacts {
  const facts: SchemaFacts = { fields: [], namedTypes: [], referencedNames: [...new Set(importsOf(file))] };
  const packagePrefix = file.packageName ? `${file.packageName}.` : '';
  const visit = (types: readonly TypeElement[], parent: string) => {
    for (const type of types) {
      const path = parent ? `${parent}.${type.name}` : type.name;
      if (type.kind === 'enum') {
        const doc = confluentMeta(type.options, 'enum_meta').doc ?? type.doc;
        facts.namedTypes.push({
          kind: 'enum',
          name: packagePrefix + path,
          path,
          symbols: type.constants.map((c) => c.name),
          ...(doc ? { doc } : {}),
        });
        continue;
      }
      const doc = confluentMeta(type.options, 'message_meta').doc ?? type.doc;
      facts.namedTypes.push({ kind: 'message', name: packagePrefix + path, path, ...(doc ? { doc } : {}) });
      const fields = [...type.fields, ...type.oneOfs.flatMap((o) => o.fields)].sort((a, b) => a.tag - b.tag);
      for (const field of fields) facts.fields.push(fieldInfo(field, path));
      visit(type.nestedTypes, path);
    }
  };
  visit(file.types, '');
  return facts;
}

function fieldInfo(field: FieldElement, messagePath: string): FieldInfo {
  const meta = confluentMeta(field.options, 'field_meta');
  const doc = meta.doc ?? field.doc;
  const valueType = mapTypes(field.type)?.value ?? field.type;
  return {
    path: `${messagePath}.${field.name}`,
    name: field.name,
    ...(doc ? { doc } : {}),
    tags: [...new Set(meta.tags)],
    type: field.label === 'repeated' ? `repeated ${field.type}` : field.type,
    scalarKind: valueType === 'string' ? 'string' : valueType === 'bytes' ? 'bytes' : 'other',
  };
}
