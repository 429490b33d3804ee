import type { FieldInput } from '../contract/decision-contract.ts';

/** A registered contract reduced to what a decision needs: field names with tags, and a classification. */
export interface ContractFields {
  subject: string;
  version: number;
  fields: FieldInput[];
  classification: string | null;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const tagsOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase()) : [];

/** Avro: record fields (nested records flattened with dots), inline `confluent:tags`. */
function avroFields(schema: unknown, prefix: string, out: FieldInput[], depth: number): void {
  if (depth > 16) return;
  const record: unknown = Array.isArray(schema)
    ? (schema as unknown[]).find((s) => isObj(s) && s.type === 'record')
    : schema;
  if (!isObj(record) || record.type !== 'record' || !Array.isArray(record.fields)) return;
  for (const f of record.fields) {
    if (!isObj(f) || typeof f.name !== 'string') continue;
    const name = prefix + f.name;
    const inner: unknown = Array.isArray(f.type)
      ? (f.type as unknown[]).find((t) => isObj(t) && t.type === 'record')
      : f.type;
    if (isObj(inner) && inner.type === 'record') avroFields(inner, `${name}.`, out, depth + 1);
    else out.push({ name, tags: tagsOf(f['confluent:tags']) });
  }
}

/** JSON Schema: properties (nested objects flattened with dots), inline `confluent:tags`. */
function jsonSchemaFields(schema: unknown, prefix: string, out: FieldInput[], depth: number): void {
  if (depth > 16 || !isObj(schema) || !isObj(schema.properties)) return;
  for (const [key, p] of Object.entries(schema.properties)) {
    const name = prefix + key;
    if (isObj(p) && isObj(p.properties)) jsonSchemaFields(p, `${name}.`, out, depth + 1);
    else out.push({ name, tags: isObj(p) ? tagsOf(p['confluent:tags']) : [] });
  }
}

/** Protobuf: the first message's fields and their `(confluent.field_meta).tags`. */
function protobufFields(text: string, out: FieldInput[]): void {
  const body = /message\s+\w+\s*\{([\s\S]*)\}/.exec(text)?.[1] ?? '';
  const field = /^\s*(?:optional\s+|repeated\s+)?[\w.]+\s+(\w+)\s*=\s*\d+\s*(\[.*\])?\s*$/;
  for (const statement of body.split(';')) {
    const m = field.exec(statement.replace(/\/\/[^\n]*/g, '').replace(/\s+/g, ' '));
    if (m === null) continue;
    const opts = m[2] ?? '';
    const tags = [...opts.matchAll(/tags\s*:\s*(?:\[([^\]]*)\]|"([^"]*)")/g)].flatMap((t) =>
      (t[1] ?? `"${t[2] ?? ''}"`)
        .split(',')
        .map((x) => x.trim().replace(/^"|"$/g, '').toLowerCase())
        .filter(Boolean),
    );
    out.push({ name: m[1] as string, tags });
  }
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

/** Reads fields, tags and classification from a registry answer (GET /subjects/{s}/versions/latest). */
export function contractFields(subject: string, body: unknown): ContractFields {
  if (!isObj(body) || typeof body.schema !== 'string') throw new Error('the registry answer has no schema');
  const type = typeof body.schemaType === 'string' ? body.schemaType : 'AVRO';
  const fields: FieldInput[] = [];
  let classification: string | null = null;
  let recordName: string | null = null;
  if (type === 'PROTOBUF') {
    protobufFields(body.schema, fields);
  } else {
    const parsed = JSON.parse(body.schema) as unknown;
    if (isObj(parsed) && typeof parsed['data-spine:classification'] === 'string')
      classification = parsed['data-spine:classification'];
    if (type === 'JSON') jsonSchemaFields(parsed, '', fields, 0);
    else {
      avroFields(parsed, '', fields, 0);
      if (isObj(parsed) && typeof parsed.name === 'string') recordName = parsed.name;
    }
  }
  const metadata = isObj(body.metadata) ? body.metadata : {};
  const props = isObj(metadata.properties) ? metadata.properties : {};
  if (typeof props['data-spine.classification'] === 'string')
    classification = props['data-spine.classification'];
  if (isObj(metadata.tags)) {
    for (const [path, tags] of Object.entries(metadata.tags)) {
      for (const f of fields) {
        if (pathMatches(path, f.name, recordName)) f.tags = [...new Set([...f.tags, ...tagsOf(tags)])];
      }
    }
  }
  return { subject, version: typeof body.version === 'number' ? body.version : 0, fields, classification };
}
