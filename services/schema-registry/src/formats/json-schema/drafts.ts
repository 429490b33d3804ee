import { isObject } from './json-pointer.ts';

/**
 * The JSON Schema dialects Confluent loads. `$schema` decides; without one, or with a URL it does not
 * know, Confluent uses draft-07. (Confluent's own lookup matches the URLs without the trailing `#` only,
 * so `.../draft-04/schema#` loads as draft-07 there; we accept both spellings, which is what a writer
 * of `$schema` means.)
 */
export type Draft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

export const DEFAULT_DRAFT: Draft = 'draft-07';

const URLS: Record<string, Draft> = {
  'json-schema.org/draft-04/schema': 'draft-04',
  'json-schema.org/schema': 'draft-04',
  'json-schema.org/draft-06/schema': 'draft-06',
  'json-schema.org/draft-07/schema': 'draft-07',
  'json-schema.org/draft/2019-09/schema': '2019-09',
  'json-schema.org/draft/2020-12/schema': '2020-12',
};

export function draftOf(schema: unknown, fallback: Draft = DEFAULT_DRAFT): Draft {
  if (!isObject(schema) || typeof schema.$schema !== 'string') return fallback;
  const url = schema.$schema.replace(/^https?:\/\//, '').replace(/#$/, '');
  return URLS[url] ?? fallback;
}

export function isModern(draft: Draft): boolean {
  return draft === '2019-09' || draft === '2020-12';
}

/** The keyword that names a schema resource. */
export function idKeyword(draft: Draft): 'id' | '$id' {
  return draft === 'draft-04' ? 'id' : '$id';
}

/** Keywords that make a type-less schema an object schema (everit's "property sniffing"). */
export function objectKeywords(draft: Draft): readonly string[] {
  const base = [
    'properties',
    'required',
    'minProperties',
    'maxProperties',
    'dependencies',
    'patternProperties',
    'additionalProperties',
  ];
  if (draft === 'draft-04') return base;
  if (!isModern(draft)) return [...base, 'propertyNames'];
  return [...base, 'propertyNames', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties'];
}

/** Keywords that make a type-less schema an array schema. */
export function arrayKeywords(draft: Draft): readonly string[] {
  const base = ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems'];
  if (draft === 'draft-04') return base;
  if (!isModern(draft)) return [...base, 'contains'];
  return [...base, 'contains', 'prefixItems', 'minContains', 'maxContains', 'unevaluatedItems'];
}

export const NUMBER_KEYWORDS: readonly string[] = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
];
export const STRING_KEYWORDS: readonly string[] = ['minLength', 'maxLength', 'pattern', 'format'];
export const CONDITIONAL_KEYWORDS: readonly string[] = ['if', 'then', 'else'];

/** Keywords whose values are data, not schemas: nothing under them names a resource or an anchor. */
export const DATA_KEYWORDS: ReadonlySet<string> = new Set(['enum', 'const', 'default', 'examples']);
