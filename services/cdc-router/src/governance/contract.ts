import { z } from 'zod';

/** What the router needs from a registered contract: its fields with their tags, and its classification. */
export interface ContractField {
  name: string;
  tags: string[];
  /** The declared type, simplified: string, integer, number, boolean, object, bytes. */
  type: string;
}

export interface Contract {
  subject: string;
  version: number;
  id: number;
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF';
  classification: string;
  fields: ContractField[];
  /** The schema text as registered (for the lineage schema facet). */
  schema: string;
}

export const RegistryVersion = z.looseObject({
  subject: z.string(),
  version: z.number().int(),
  id: z.number().int(),
  schemaType: z.enum(['AVRO', 'JSON', 'PROTOBUF']).optional(),
  schema: z.string(),
  metadata: z
    .looseObject({
      tags: z.record(z.string(), z.array(z.string())).optional(),
      properties: z.record(z.string(), z.string()).optional(),
    })
    .nullish(),
});
export type RegistryVersion = z.infer<typeof RegistryVersion>;

const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'];

const norm = (tags: unknown): string[] =>
  Array.isArray(tags)
    ? tags.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase())
    : [];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function avroType(t: unknown): string {
  if (Array.isArray(t)) {
    const nonNull = t.filter((x) => x !== 'null');
    return nonNull.length === 1 ? avroType(nonNull[0]) : 'object';
  }
  if (isObject(t)) {
    if (t.logicalType === 'decimal') return 'number';
    return avroType(t.type);
  }
  switch (t) {
    case 'int':
    case 'long':
      return 'integer';
    case 'float':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'bytes':
    case 'fixed':
      return 'bytes';
    case 'string':
    case 'enum':
      return 'string';
    default:
      return 'object';
  }
}

function jsonType(t: unknown): string {
  const types = (Array.isArray(t) ? (t as unknown[]) : [t]).filter((x) => x !== 'null');
  const first: unknown = types.length === 1 ? types[0] : undefined;
  return first === 'string' || first === 'integer' || first === 'number' || first === 'boolean'
    ? first
    : 'object';
}

function protoType(t: string): string {
  if (/^(u?int|s?fixed|sint)(32|64)$/.test(t)) return 'integer';
  if (t === 'double' || t === 'float') return 'number';
  if (t === 'bool') return 'boolean';
  if (t === 'bytes') return 'bytes';
  if (t === 'string') return 'string';
  return 'object';
}

/** Confluent's `metadata.tags` keys are field paths (`name`, `**.email`, `Customer.email`): the last part. */
function metadataTags(version: RegistryVersion): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [path, tags] of Object.entries(version.metadata?.tags ?? {})) {
    const field = path.split('.').pop() ?? path;
    out.set(field, [...(out.get(field) ?? []), ...norm(tags)]);
  }
  return out;
}

interface Extracted {
  fields: ContractField[];
  classification?: string;
}

function fromAvro(doc: unknown): Extracted {
  if (!isObject(doc) || doc.type !== 'record' || !Array.isArray(doc.fields))
    throw new Error('an Avro contract of a table must be a record with fields');
  const fields = doc.fields.map((f: unknown): ContractField => {
    if (!isObject(f) || typeof f.name !== 'string') throw new Error('an Avro field without a name');
    return { name: f.name, tags: norm(f['confluent:tags']), type: avroType(f.type) };
  });
  const c = doc['data-spine:classification'];
  return { fields, ...(typeof c === 'string' ? { classification: c } : {}) };
}

function fromJsonSchema(doc: unknown): Extracted {
  if (!isObject(doc) || !isObject(doc.properties))
    throw new Error('a JSON Schema contract of a table must be an object with properties');
  const fields = Object.entries(doc.properties).map(([name, p]): ContractField => ({
    name,
    tags: norm(isObject(p) ? p['confluent:tags'] : undefined),
    type: jsonType(isObject(p) ? p.type : undefined),
  }));
  const c = doc['data-spine:classification'];
  return { fields, ...(typeof c === 'string' ? { classification: c } : {}) };
}

/** The first message's fields, with `(confluent.field_meta).tags` read from their options. */
function fromProtobuf(text: string): Extracted {
  const start = text.search(/\bmessage\s+\w+\s*\{/);
  if (start < 0) throw new Error('a Protobuf contract needs a message');
  const body = text.slice(text.indexOf('{', start) + 1);
  const fields: ContractField[] = [];
  const fieldRe = /^\s*(?:optional\s+|repeated\s+)?([\w.]+)\s+(\w+)\s*=\s*\d+\s*(\[.*\])?\s*;/gm;
  let depth = 0;
  for (const line of body.split('\n')) {
    if (depth === 0 && line.includes('}') && !line.includes('{')) break;
    if (depth === 0) {
      fieldRe.lastIndex = 0;
      const m = fieldRe.exec(line);
      if (m) {
        const tags = /tags\s*:\s*\[([^\]]*)\]|tags\s*:\s*"([^"]*)"/.exec(m[3] ?? '');
        const list = tags
          ? ((tags[1] ?? tags[2] ?? '').match(/"([^"]*)"/g)?.map((s) => s.slice(1, -1)) ?? [tags[2] ?? ''])
          : [];
        fields.push({
          name: m[2] as string,
          tags: norm(list.filter(Boolean)),
          type: protoType(m[1] as string),
        });
      }
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
  }
  return { fields };
}

/** Reads a registered version into a contract; throws (with a reason) when it cannot be read. */
export function contractOf(version: RegistryVersion): Contract {
  const schemaType = version.schemaType ?? 'AVRO';
  let extracted: Extracted;
  if (schemaType === 'PROTOBUF') extracted = fromProtobuf(version.schema);
  else {
    const doc: unknown = JSON.parse(version.schema);
    extracted = schemaType === 'AVRO' ? fromAvro(doc) : fromJsonSchema(doc);
  }
  const extra = metadataTags(version);
  const fields = extracted.fields.map((f) => ({
    ...f,
    tags: [...new Set([...f.tags, ...(extra.get(f.name) ?? [])])].sort(),
  }));
  const declared =
    version.metadata?.properties?.['data-spine.classification'] ?? extracted.classification ?? 'restricted';
  // An unknown classification is sent as is: the gate denies what it does not know.
  const classification = CLASSIFICATIONS.includes(declared.toLowerCase()) ? declared.toLowerCase() : declared;
  return {
    subject: version.subject,
    version: version.version,
    id: version.id,
    schemaType,
    classification,
    fields,
    schema: version.schema,
  };
}
