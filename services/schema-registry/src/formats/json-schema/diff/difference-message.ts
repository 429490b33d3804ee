import type { DifferenceType } from './difference-type.ts';

/**
 * What an incompatible change means for data and how to avoid it. The "writer" schema is the one data
 * was written with (Confluent's original; the old schema under BACKWARD), the "reader" the one that
 * must read it (Confluent's update; the new schema under BACKWARD).
 */
export function describeDifference(type: DifferenceType, path: string): string {
  const at = `'${path}'`;
  switch (type) {
    case 'TYPE_CHANGED':
      return `The type at ${at} differs between the reader and the writer schema, so the reader refuses values the writer allowed. Keep the writer's type there, or make the reader a oneOf/anyOf that still includes it.`;
    case 'TYPE_NARROWED':
      return `The reader accepts only integers at ${at} where the writer allowed any number. Keep "type": "number".`;
    case 'SCHEMA_ADDED':
      return `The reader constrains ${at}, which the writer left unconstrained, so written values may not match. Leave it unconstrained.`;
    case 'REQUIRED_ATTRIBUTE_ADDED':
      return `The reader requires the property at ${at}, which the writer left optional, so written data may lack it. Keep it optional, or give the property a "default".`;
    case 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL':
      return `The reader adds the required property ${at}, which data written with the writer schema does not have. Make it optional, or give it a "default".`;
    case 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL':
    case 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL':
    case 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL':
    case 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL':
      return `The reader adds ${at} with a schema, but the writer's content model is open (it accepts any additional property or item), so written data may already hold any value there. Close the writer first (a version with "additionalProperties": false, or "additionalItems": false), or add it with an empty schema ({}).`;
    case 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL':
    case 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL':
      return `The reader drops ${at} and its content model is closed, so it refuses written data that still has it. Keep it (it may become optional), or leave the reader open to additional properties or items.`;
    case 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
    case 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
      return `The reader drops ${at}, and its schema for additional (or pattern-named) properties or items does not accept what the writer allowed there. Keep it, or widen that schema.`;
    case 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
    case 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL':
      return `The reader adds ${at} with a schema that does not accept what the writer's schema for additional (or pattern-named) properties or items allowed there. Give it a schema that accepts at least that.`;
    case 'ADDITIONAL_PROPERTIES_REMOVED':
    case 'ADDITIONAL_PROPERTIES_NARROWED':
    case 'ADDITIONAL_ITEMS_REMOVED':
    case 'ADDITIONAL_ITEMS_NARROWED':
      return `The reader restricts the additional properties or items at ${at} that the writer accepted, so written data with extra members may be refused. Keep the writer's setting.`;
    case 'ENUM_ARRAY_NARROWED':
    case 'ENUM_ARRAY_CHANGED':
      return `The reader no longer accepts every value the writer allowed at ${at}. Keep all of the writer's values (adding values is compatible).`;
    case 'COMBINED_TYPE_CHANGED':
      return `The combination at ${at} changed (allOf/anyOf/oneOf) so that values the writer allowed may be refused. Keep the writer's combination, or change it to anyOf.`;
    case 'PRODUCT_TYPE_EXTENDED':
      return `The reader adds a subschema to the allOf at ${at}, so values must match one more schema than when they were written. Drop the added subschema.`;
    case 'SUM_TYPE_NARROWED':
      return `The reader removes alternatives from the oneOf/anyOf at ${at}, so values written as those alternatives would be refused. Keep them.`;
    case 'COMBINED_TYPE_SUBSCHEMAS_CHANGED':
      return `The subschemas at ${at} do not pair up: some alternative the writer allowed has no compatible counterpart in the reader. Keep a compatible version of each of the writer's subschemas.`;
    case 'NOT_TYPE_EXTENDED':
      return `The reader's "not" at ${at} excludes values the writer allowed. Exclude no more than the writer did.`;
    case 'DEPENDENCY_ARRAY_ADDED':
    case 'DEPENDENCY_ARRAY_EXTENDED':
    case 'DEPENDENCY_ARRAY_CHANGED':
    case 'DEPENDENCY_SCHEMA_ADDED':
      return `The reader adds a dependency at ${at} that written data need not satisfy. Drop it, or keep the writer's dependencies.`;
    default:
      return `The reader schema is stricter than the writer schema at ${at} (${words(type)}), so values the writer allowed may be refused. Relax it to at least what the writer allowed.`;
  }
}

function words(type: DifferenceType): string {
  return type.toLowerCase().replaceAll('_', ' ');
}
