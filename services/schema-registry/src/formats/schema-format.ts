/**
 * What the registry needs from each schema language (Avro, Protobuf, JSON Schema). Each format lives in its
 * own folder beside this file and exports one `SchemaFormat`. Everything here is pure: no I/O.
 */

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

/** A reference as Confluent clients send it: an import/`$ref`/named type resolved to a subject version. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A reference with the referenced schema's text, already fetched by the registry (transitively). */
export interface ResolvedReference {
  name: string;
  subject: string;
  version: number;
  schema: string;
  /** The referenced schema's own references, resolved too. */
  references: ResolvedReference[];
}

/** A field (Avro record field, Protobuf message field, JSON Schema property), for lint and data contracts. */
export interface FieldInfo {
  /** Where it is: `Customer.email`, `Order.lines[].sku`, `#/properties/email`. */
  path: string;
  name: string;
  /** The field's doc/description, if any. */
  doc?: string;
  /** Tags declared inline: Avro/JSON `confluent:tags`, Protobuf `(confluent.field_meta).tags`. */
  tags: string[];
  /** A short type description (`string`, `["null","string"]`, `bytes`, `int64`...). */
  type: string;
  /** Protobuf only: string/bytes fields, which the retention lint looks at. */
  scalarKind?: 'string' | 'bytes' | 'other';
}

/** A named type (Avro record/enum/fixed, Protobuf message/enum, JSON Schema title), for naming lint. */
export interface NamedType {
  kind: 'record' | 'enum' | 'fixed' | 'message' | 'object';
  /** The full name as written (`shop.public.Customer`). */
  name: string;
  path: string;
  /** Enum symbols, for the lowercase-symbols rule. */
  symbols?: string[];
  doc?: string;
}

export interface ParsedSchema {
  type: SchemaType;
  /** The schema text as given (what GET returns when not normalized). */
  raw: string;
  /**
   * The form that decides identity: two registrations with equal `canonical` get the same id. Without
   * `normalize` it is what Confluent compares: the format's `canonicalString()` (Avro: `Schema.toString()`;
   * Protobuf: the file printed back from its parse; JSON: the text without insignificant whitespace); with
   * `normalize` it is the format's normalized form (Avro: Parsing Canonical Form plus the
   * attributes Confluent keeps; Protobuf: Confluent's normalized text; JSON: keys sorted).
   */
  canonical: string;
  fields: FieldInfo[];
  namedTypes: NamedType[];
  /** Names this schema references (Avro named types from references, Protobuf imports, JSON `$ref` URLs). */
  referencedNames: string[];
  /** The format's own parsed form, for `checkCompatibility`; opaque to everyone else. */
  readonly model: unknown;
}

/** One reason two schemas are incompatible. `path` says where, `rule` which rule (stable identifiers). */
export interface CompatibilityIssue {
  path: string;
  rule: string;
  message: string;
}

export class InvalidSchemaError extends Error {
  readonly path: string;
  constructor(message: string, path = '', options?: { cause?: unknown }) {
    super(message, options);
    this.path = path;
  }
}

export interface SchemaFormat {
  readonly type: SchemaType;
  /**
   * Parses and validates `text` with its references; throws `InvalidSchemaError` (message and path of the
   * first problem) for anything Confluent would answer 42201 to, including unresolved references.
   */
  parse(
    text: string,
    references: readonly ResolvedReference[],
    options: { normalize: boolean },
  ): ParsedSchema;
  /**
   * Whether data written with `writer` can be read with `reader`. Empty means compatible. BACKWARD checks
   * (reader = new, writer = old); FORWARD the reverse; FULL both.
   */
  checkCompatibility(reader: ParsedSchema, writer: ParsedSchema): CompatibilityIssue[];
}
