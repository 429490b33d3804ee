/**
 * The kinds of change Confluent's Protobuf diff reports (`io.confluent.kafka.schemaregistry.protobuf.diff.
 * Difference.Type`), and which of them it accepts (`SchemaDiff.COMPATIBLE_CHANGES`). The names are the
 * `rule` of a compatibility issue, so clients can match them against Confluent's documentation.
 */

export const DIFFERENCE_TYPES = [
  'PACKAGE_CHANGED',
  'MESSAGE_ADDED',
  'MESSAGE_REMOVED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_KIND_CHANGED',
  'FIELD_SCALAR_KIND_CHANGED',
  'FIELD_NAMED_TYPE_CHANGED',
  'FIELD_NUMERIC_LABEL_CHANGED',
  'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'REQUIRED_FIELD_ADDED',
  'REQUIRED_FIELD_REMOVED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
  'ONEOF_FIELD_REMOVED',
  'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
  'FIELD_MOVED_TO_EXISTING_ONEOF',
] as const;

export type DifferenceType = (typeof DIFFERENCE_TYPES)[number];

/** Confluent's current list: a package change is compatible (type names are compared without it). */
export const COMPATIBLE_CHANGES: ReadonlySet<DifferenceType> = new Set<DifferenceType>([
  'PACKAGE_CHANGED',
  'MESSAGE_ADDED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
]);

export interface Difference {
  type: DifferenceType;
  /** Confluent's path: `#/` then message names, oneof names and field numbers (`#/Customer/2`). */
  path: string;
  /** What changed, in words, naming the schema ("writer" = original, "reader" = update). */
  message: string;
}

/** What to do about each incompatible change, appended to its message. */
export const FIXES: Readonly<Partial<Record<DifferenceType, string>>> = {
  MESSAGE_REMOVED: 'Keep the message in the schema (it may stay unused).',
  FIELD_KIND_CHANGED: 'Keep the field as it was; add a new field with a new number instead.',
  FIELD_SCALAR_KIND_CHANGED: 'Keep the field as it was; add a new field with a new number instead.',
  FIELD_NAMED_TYPE_CHANGED:
    'Keep the field pointing at the same message and make that message change compatibly.',
  FIELD_NUMERIC_LABEL_CHANGED:
    'Keep the label; add a new repeated (or singular) field with a new number instead.',
  REQUIRED_FIELD_ADDED: 'Make the new field optional.',
  REQUIRED_FIELD_REMOVED: 'Keep the required field.',
  ONEOF_FIELD_REMOVED: 'Keep the field in the oneof (mark it deprecated if it is no longer written).',
  MULTIPLE_FIELDS_MOVED_TO_ONEOF: 'Leave existing fields outside the oneof; put only new fields in it.',
  FIELD_MOVED_TO_EXISTING_ONEOF: 'Leave the field outside the oneof; put only new fields in it.',
};
