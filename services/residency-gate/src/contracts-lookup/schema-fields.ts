import type { FieldInput } from '../contract/decision-contract.ts';
import { avroFields } from './avro-fields.ts';
import { FlatFields, isObj, tagsOf } from './flat-fields.ts';
import { jsonSchemaFields } from './json-schema-fields.ts';
import { protobufFields } from './protobuf-fields.ts';

/** A registered contract reduced to what a decision needs: field names with tags, and a classification. */
export interface ContractFields {
  subject: string;
  version: number;
  fields: FieldInput[];
  classification: string | null;
}

/** Confluent's metadata.tags: field path -> tags; `**.x` matches x at any depth, `*` one segment. */
function pathMatches(pattern: string, name: string, recordName: string | null): boolean {
  const candidates = recordName ? [name, `${recordName}.${name}`] : [name];
  const re = new RegExp(
    `^${pattern
      .split('.')
      .map((seg) =>
        seg === '**' ? '(?:.+)' : seg === '*' ? '[^.]+' : seg.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&'),
      )
      .join('\\.')}$`,
  );
  return candidates.some(
    (c) =>
      re.test(c) ||
      (pattern.startsWith('**.') && (c === pattern.slice(3) || c.endsWith(`.${pattern.slice(3)}`))),
  );
}

/** `a`, `a.b`, `a.b.c` for `a.b.c`. */
const ancestors = (name: string) => name.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));

/**
 * Reads fields, tags and classification from a registry answer (GET /subjects/{s}/versions/latest):
 * nested fields flattened to dotted paths (`addresses.street`) with their tags and those of every field
 * around them. Throws when the contract cannot be read, names an unknown schema type, or declares no
 * field: a decision on the route alone would let through whatever the contract failed to show.
 */
export function contractFields(subject: string, body: unknown): ContractFields {
  if (!isObj(body) || typeof body.schema !== 'string') throw new Error('the registry answer has no schema');
  const type = body.schemaType ?? 'AVRO';
  if (type !== 'AVRO' && type !== 'JSON' && type !== 'PROTOBUF')
    throw new Error(
      `schema type ${JSON.stringify(type)} is not one the gate can read (AVRO, JSON, PROTOBUF)`,
    );
  const flat = new FlatFields();
  let classification: string | null = null;
  let recordName: string | null = null;
  if (type === 'PROTOBUF') {
    recordName = protobufFields(body.schema, flat);
  } else {
    const parsed = JSON.parse(body.schema) as unknown;
    if (isObj(parsed) && typeof parsed['data-spine:classification'] === 'string')
      classification = parsed['data-spine:classification'];
    if (type === 'JSON') jsonSchemaFields(parsed, flat);
    else {
      avroFields(parsed, flat);
      if (isObj(parsed) && typeof parsed.name === 'string') recordName = parsed.name;
    }
  }
  const fields = flat.list();
  if (fields.length === 0) throw new Error(`the ${type} schema of ${subject} declares no field`);
  const metadata = isObj(body.metadata) ? body.metadata : {};
  const props = isObj(metadata.properties) ? metadata.properties : {};
  if (typeof props['data-spine.classification'] === 'string')
    classification = props['data-spine.classification'];
  if (isObj(metadata.tags)) {
    for (const [path, tags] of Object.entries(metadata.tags)) {
      for (const f of fields) {
        // A path naming a field applies to everything inside it (`Customer.address` to `address.zip`).
        if (ancestors(f.name).some((n) => pathMatches(path, n, recordName)))
          f.tags = [...new Set([...f.tags, ...tagsOf(tags)])];
      }
    }
  }
  return { subject, version: typeof body.version === 'number' ? body.version : 0, fields, classification };
}
