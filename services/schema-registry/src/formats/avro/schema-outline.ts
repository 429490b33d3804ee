import type { FieldInfo, NamedType as NamedTypeInfo } from '../schema-format.ts';
import type { AvroType, NamedType } from './avro-model.ts';

/** `ParsedSchema.fields` and `namedTypes` for the types this schema defines (not those of its references). */
export interface Outline {
  fields: FieldInfo[];
  namedTypes: NamedTypeInfo[];
}

/**
 * Walks the schema once: every record field becomes a `FieldInfo` at a path of record and field names
 * (`Customer.address.street`; `[]` steps into array items, `{}` into map values, unions are transparent),
 * every record, enum and fixed a `NamedType` at the path where it is defined. Recursive types are listed
 * once; types from references are left to their own subjects.
 */
export function outlineSchema(root: AvroType): Outline {
  const fields: FieldInfo[] = [];
  const namedTypes: NamedTypeInfo[] = [];
  const seen = new Set<NamedType>();
  const visit = (t: AvroType, path: string): void => {
    switch (t.type) {
      case 'union':
        for (const b of t.branches) visit(b, path);
        return;
      case 'array':
        visit(t.items, `${path}[]`);
        return;
      case 'map':
        visit(t.values, `${path}{}`);
        return;
      case 'record':
      case 'enum':
      case 'fixed': {
        if (seen.has(t) || t.definedIn !== undefined) return;
        seen.add(t);
        const at = path === '' ? t.name : path;
        namedTypes.push({
          kind: t.type,
          name: t.fullName,
          path: at,
          ...(t.type === 'enum' ? { symbols: [...t.symbols] } : {}),
          ...(t.doc !== undefined ? { doc: t.doc } : {}),
        });
        if (t.type !== 'record') return;
        for (const f of t.fields) {
          const fieldPath = `${at}.${f.name}`;
          const tags = f.props.get('confluent:tags');
          fields.push({
            path: fieldPath,
            name: f.name,
            ...(f.doc !== undefined ? { doc: f.doc } : {}),
            tags:
              tags?.kind === 'array' ? tags.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : [],
            type: describeType(f.type),
          });
          visit(f.type, fieldPath);
        }
        return;
      }
      default:
        return;
    }
  };
  visit(root, '');
  return { fields, namedTypes };
}

/** A short description: `string`, `long:timestamp-millis`, `bytes:decimal(10,2)`, `array<string>`, `["null","string"]`. */
export function describeType(t: AvroType): string {
  switch (t.type) {
    case 'union':
      return JSON.stringify(t.branches.map(describeType));
    case 'array':
      return `array<${describeType(t.items)}>`;
    case 'map':
      return `map<${describeType(t.values)}>`;
    case 'record':
    case 'enum':
      return t.fullName;
    case 'fixed':
      return t.logicalType ? `${t.fullName}:${logical(t.logicalType)}` : t.fullName;
    default:
      return t.logicalType ? `${t.type}:${logical(t.logicalType)}` : t.type;
  }
}

function logical(lt: { name: string; precision?: number; scale?: number }): string {
  return lt.name === 'decimal' ? `decimal(${lt.precision},${lt.scale ?? 0})` : lt.name;
}
