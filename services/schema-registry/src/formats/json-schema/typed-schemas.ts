import type { Draft } from './drafts.ts';
import { isModern } from './drafts.ts';
import { isObject } from './json-pointer.ts';
import type { KeywordReader } from './keyword-reader.ts';
import type { PatternProperty, SchemaBody, SchemaNode } from './schema-model.ts';

/**
 * The type-specific parts of a schema, read as everit reads them: string, number/integer, object and
 * array keywords. 2019-09/2020-12 keywords map onto the same model the way Confluent's translator maps
 * them (`prefixItems` is the item list, `items` next to it the additional items, `dependentRequired` and
 * `dependentSchemas` the two kinds of `dependencies`).
 */

/** Loads a subschema at a path relative to the schema being read. */
export type LoadChild = (path: readonly string[], value: unknown) => SchemaNode;

export function stringBody(r: KeywordReader, requiresString: boolean): SchemaBody {
  return {
    kind: 'string',
    minLength: r.nonNegativeInteger('minLength'),
    maxLength: r.nonNegativeInteger('maxLength'),
    pattern: r.string('pattern'),
    format: r.string('format'),
    requiresString,
  };
}

export function numberBody(r: KeywordReader, draft: Draft, requiresInteger: boolean): SchemaBody {
  const multipleOf = r.number('multipleOf');
  if (multipleOf !== undefined && multipleOf <= 0) throw r.error('multipleOf', 'must be greater than 0');
  let exclusiveMinimum: number | undefined;
  let exclusiveMaximum: number | undefined;
  if (draft === 'draft-04') {
    // Draft-04 makes minimum/maximum exclusive with a boolean; the limits stay minimum/maximum.
    r.boolean('exclusiveMinimum');
    r.boolean('exclusiveMaximum');
  } else {
    exclusiveMinimum = r.number('exclusiveMinimum');
    exclusiveMaximum = r.number('exclusiveMaximum');
  }
  return {
    kind: 'number',
    minimum: r.number('minimum'),
    maximum: r.number('maximum'),
    exclusiveMinimum,
    exclusiveMaximum,
    multipleOf: multipleOf === undefined ? undefined : String(multipleOf),
    requiresInteger,
  };
}

export function objectBody(r: KeywordReader, draft: Draft, load: LoadChild): SchemaBody {
  const properties = new Map<string, SchemaNode>();
  for (const [name, value] of Object.entries(r.record('properties') ?? {})) {
    properties.set(name, load(['properties', name], value));
  }
  const required = r.stringList('required') ?? [];

  let permitsAdditionalProperties = true;
  let additionalProperties: SchemaNode | undefined;
  const additional = r.raw('additionalProperties');
  if (typeof additional === 'boolean') permitsAdditionalProperties = additional;
  else if (additional !== undefined) additionalProperties = load(['additionalProperties'], additional);

  const patternProperties: PatternProperty[] = [];
  for (const [pattern, value] of Object.entries(r.record('patternProperties') ?? {})) {
    patternProperties.push({
      pattern,
      regex: compile(pattern),
      schema: load(['patternProperties', pattern], value),
    });
  }

  const propertyDependencies = new Map<string, readonly string[]>();
  const schemaDependencies = new Map<string, SchemaNode>();
  for (const [name, value] of Object.entries(r.record('dependencies') ?? {})) {
    if (Array.isArray(value)) {
      propertyDependencies.set(name, r.stringList('dependencies', value, ['dependencies', name])!);
    } else if (isObject(value) || typeof value === 'boolean') {
      schemaDependencies.set(name, load(['dependencies', name], value));
    } else {
      throw r.errorAt(['dependencies', name], 'must be an array of property names or a schema');
    }
  }
  if (isModern(draft)) {
    for (const [name, value] of Object.entries(r.record('dependentRequired') ?? {})) {
      propertyDependencies.set(name, r.stringList('dependentRequired', value, ['dependentRequired', name])!);
    }
    for (const [name, value] of Object.entries(r.record('dependentSchemas') ?? {})) {
      schemaDependencies.set(name, load(['dependentSchemas', name], value));
    }
  }
  for (const key of ['propertyNames', 'unevaluatedProperties']) {
    const value = r.raw(key);
    if (value !== undefined && draft !== 'draft-04') load([key], value);
  }

  return {
    kind: 'object',
    properties,
    required,
    permitsAdditionalProperties,
    additionalProperties,
    patternProperties,
    propertyDependencies,
    schemaDependencies,
    minProperties: r.nonNegativeInteger('minProperties'),
    maxProperties: r.nonNegativeInteger('maxProperties'),
  };
}

export function arrayBody(r: KeywordReader, draft: Draft, load: LoadChild): SchemaBody {
  let allItems: SchemaNode | undefined;
  let itemList: SchemaNode[] | undefined;
  let permitsAdditionalItems = true;
  let additionalItems: SchemaNode | undefined;
  const list = (key: string, value: unknown[]) => value.map((item, i) => load([key, String(i)], item));

  const items = r.raw('items');
  if (draft === '2020-12') {
    const prefix = r.array('prefixItems');
    if (prefix) itemList = list('prefixItems', prefix);
    if (typeof items === 'boolean') permitsAdditionalItems = items;
    else if (items !== undefined && !isObject(items)) throw r.error('items', 'must be a schema');
    else if (items !== undefined && prefix) additionalItems = load(['items'], items);
    else if (items !== undefined) allItems = load(['items'], items);
  } else {
    if (Array.isArray(items)) itemList = list('items', items);
    else if (isObject(items) || typeof items === 'boolean') allItems = load(['items'], items);
    else if (items !== undefined) throw r.error('items', 'must be a schema or an array of schemas');
    const additional = r.raw('additionalItems');
    if (typeof additional === 'boolean') permitsAdditionalItems = additional;
    else if (additional !== undefined) additionalItems = load(['additionalItems'], additional);
  }
  for (const key of ['contains', 'unevaluatedItems']) {
    const value = r.raw(key);
    if (value !== undefined && draft !== 'draft-04') load([key], value);
  }
  r.nonNegativeInteger('minContains');
  r.nonNegativeInteger('maxContains');

  return {
    kind: 'array',
    allItems,
    itemList,
    permitsAdditionalItems,
    additionalItems,
    minItems: r.nonNegativeInteger('minItems'),
    maxItems: r.nonNegativeInteger('maxItems'),
    uniqueItems: r.boolean('uniqueItems') ?? false,
  };
}

/** Confluent compiles patterns with java.util.regex; the common subset compiles in JavaScript too. */
function compile(pattern: string): RegExp | null {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // try the next flavour
    }
  }
  return null;
}
