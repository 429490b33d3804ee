import type { IncompatibilityType } from './compatibility.ts';

/**
 * What each incompatibility means, after Confluent's `avro.Difference` descriptions, in reader/writer terms
 * (BACKWARD: the reader is the new schema, the writer the registered one; FORWARD the other way round).
 */
export function describeIncompatibility(type: IncompatibilityType, path: string, detail: string): string {
  const at = `${type} at '${path}'`;
  switch (type) {
    case 'FIXED_SIZE_MISMATCH':
      return `${at}: the size of the fixed type in the reader schema does not match the writer schema (${detail})`;
    case 'TYPE_MISMATCH':
      return `${at}: the type in the reader schema does not match the writer schema (${detail})`;
    case 'NAME_MISMATCH':
      return `${at}: the name of the type has changed (${detail}; add the old full name to the reader's aliases to rename)`;
    case 'MISSING_ENUM_SYMBOLS':
      return `${at}: the reader schema is missing enum symbols ${detail} of the writer schema (or give the reader enum a default)`;
    case 'MISSING_UNION_BRANCH':
      return `${at}: the reader schema is missing a type of the writer's union (${detail})`;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      return `${at}: the field '${detail}' in the reader schema has no default value and is missing in the writer schema (give it a default)`;
  }
}
