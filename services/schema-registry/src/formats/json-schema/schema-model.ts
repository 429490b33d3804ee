import type { Draft } from './drafts.ts';

/**
 * A loaded JSON Schema, shaped like the everit model Confluent's diff walks: a schema is one kind
 * (string, number, object, array, combined, ...), and a schema object that says several things at once
 * (`{"type": "string", "enum": [...]}`) becomes a synthetic `allOf` of one node per thing. Comparison
 * rules are keyed on the kind, as Confluent's are on the Java class.
 */

export interface SchemaBase {
  /** Unique per node in the process: identity for cycle detection and memoization. */
  readonly uid: number;
  /** Where the node is written: its document and JSON pointer. */
  readonly documentUri: string;
  readonly location: string;
  readonly draft: Draft;
  /** The JSON object (or boolean) the node was loaded from. */
  readonly raw: unknown;
  /** What the node consists of, for collapsing duplicate subschemas of a combined schema. */
  readonly signature: string;
  readonly id?: string | undefined;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  /** Present when the schema has a `default` (the value may be null). */
  readonly defaultValue?: { readonly value: unknown } | undefined;
}

export type Criterion = 'allOf' | 'anyOf' | 'oneOf';

export interface PatternProperty {
  readonly pattern: string;
  /** Null when JavaScript cannot compile the (Java-flavoured) pattern: then it matches no name. */
  readonly regex: RegExp | null;
  readonly schema: SchemaNode;
}

export type SchemaNode =
  /** `{}` or `true`: anything. */
  | (SchemaBase & { readonly kind: 'empty' })
  | (SchemaBase & { readonly kind: 'false' })
  | (SchemaBase & { readonly kind: 'boolean' })
  | (SchemaBase & { readonly kind: 'null' })
  | (SchemaBase & {
      readonly kind: 'string';
      readonly minLength?: number | undefined;
      readonly maxLength?: number | undefined;
      readonly pattern?: string | undefined;
      readonly format?: string | undefined;
      readonly requiresString: boolean;
    })
  | (SchemaBase & {
      readonly kind: 'number';
      readonly minimum?: number | undefined;
      readonly maximum?: number | undefined;
      readonly exclusiveMinimum?: number | undefined;
      readonly exclusiveMaximum?: number | undefined;
      /** The lexeme, so that divisibility is decided exactly. */
      readonly multipleOf?: string | undefined;
      readonly requiresInteger: boolean;
    })
  | (SchemaBase & { readonly kind: 'enum'; readonly values: readonly unknown[] })
  | (SchemaBase & { readonly kind: 'const'; readonly value: unknown })
  | (SchemaBase & {
      readonly kind: 'combined';
      readonly criterion: Criterion;
      readonly subschemas: readonly SchemaNode[];
      readonly synthetic: boolean;
    })
  | (SchemaBase & { readonly kind: 'not'; readonly schema: SchemaNode })
  | (SchemaBase & { readonly kind: 'conditional' })
  | (SchemaBase & {
      readonly kind: 'object';
      readonly properties: ReadonlyMap<string, SchemaNode>;
      readonly required: readonly string[];
      readonly permitsAdditionalProperties: boolean;
      readonly additionalProperties?: SchemaNode | undefined;
      readonly patternProperties: readonly PatternProperty[];
      readonly propertyDependencies: ReadonlyMap<string, readonly string[]>;
      readonly schemaDependencies: ReadonlyMap<string, SchemaNode>;
      readonly minProperties?: number | undefined;
      readonly maxProperties?: number | undefined;
    })
  | (SchemaBase & {
      readonly kind: 'array';
      /** `items` as one schema for every item. */
      readonly allItems?: SchemaNode | undefined;
      /** `items` as a list (`prefixItems` in 2020-12): one schema per position. */
      readonly itemList?: readonly SchemaNode[] | undefined;
      readonly permitsAdditionalItems: boolean;
      readonly additionalItems?: SchemaNode | undefined;
      readonly minItems?: number | undefined;
      readonly maxItems?: number | undefined;
      readonly uniqueItems: boolean;
    })
  | (SchemaBase & {
      readonly kind: 'ref';
      readonly ref: string;
      /** Set once the reference is resolved (every reference is, before parse returns). */
      target: SchemaNode | undefined;
      /** True when the target lives in another document (a registered reference). */
      external: boolean;
    });

export type SchemaKind = SchemaNode['kind'];

/** The node a reference chain ends at. Parsing guarantees every chain ends. */
export function deref(node: SchemaNode): SchemaNode {
  let current = node;
  while (current.kind === 'ref') current = current.target!;
  return current;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a loader extracts before the node gets its identity and common attributes. */
export type SchemaBody = DistributiveOmit<SchemaNode, keyof SchemaBase>;
