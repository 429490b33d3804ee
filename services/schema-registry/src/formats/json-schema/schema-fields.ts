import type { FieldInfo, NamedType } from '../schema-format.ts';
import { isObject, pointer } from './json-pointer.ts';
import { MAX_NESTING } from './json-text.ts';
import { deref } from './schema-model.ts';
import type { SchemaNode } from './schema-model.ts';

/**
 * The properties of a schema, recursively, for lint and data contracts: `#/properties/address/
 * properties/street` is `street` inside `address`, whether `address` is written inline, through a local
 * `$ref`, inside a `oneOf` with `null`, or as array items (`#/properties/lines/items/properties/sku`).
 * References to other registered schemas are not followed: their fields belong to those schemas. The walk
 * is iterative and stops at a cycle (a definition inside itself), so no schema can exhaust the stack.
 */

/**
 * Bounds on the outline: how many fields, how long a path (only chains of `$ref`s can go deeper than the
 * text nests) and how many schemas visited (a union of unions of references can otherwise multiply).
 */
export const MAX_FIELDS = 10_000;
export const MAX_PATH_SEGMENTS = MAX_NESTING;
export const MAX_VISITS = 100_000;

export interface SchemaOutline {
  readonly fields: FieldInfo[];
  readonly namedTypes: NamedType[];
}

interface Visit {
  readonly node: SchemaNode;
  readonly path: readonly string[];
  readonly parent: Visit | undefined;
}

export function outlineSchema(root: SchemaNode): SchemaOutline {
  const fields = new Map<string, FieldInfo>();
  const namedTypes = new Map<SchemaNode, NamedType>();
  const stack: Visit[] = [{ node: root, path: [], parent: undefined }];
  let visits = 0;
  while (stack.length > 0 && fields.size < MAX_FIELDS && visits++ < MAX_VISITS) {
    const visit = stack.pop()!;
    const { node, path } = visit;
    if (node.documentUri !== root.documentUri || isAncestor(visit)) continue;
    const push = (child: SchemaNode | undefined, ...segments: string[]) => {
      if (child && path.length + segments.length <= MAX_PATH_SEGMENTS) {
        stack.push({ node: child, path: [...path, ...segments], parent: visit });
      }
    };
    if (node.title !== undefined && !namedTypes.has(node) && describesObject(node)) {
      namedTypes.set(node, {
        kind: 'object',
        name: node.title,
        path: node.location,
        ...(node.description ? { doc: node.description } : {}),
      });
    }
    switch (node.kind) {
      case 'ref':
        if (!node.external) push(node.target);
        break;
      case 'combined':
        for (const sub of [...node.subschemas].reverse()) push(sub);
        break;
      case 'object': {
        const entries = [...node.properties].reverse();
        for (const [name, child] of entries) push(child, 'properties', name);
        push(node.additionalProperties, 'additionalProperties');
        for (const [name, child] of [...node.properties]) {
          const at = pointer([...path, 'properties', name]);
          if (!fields.has(at)) fields.set(at, field(at, name, child));
        }
        break;
      }
      case 'array':
        push(node.additionalItems, 'additionalItems');
        (node.itemList ?? []).forEach((item, i) => push(item, 'items', String(i)));
        push(node.allItems, 'items');
        break;
      default:
        break;
    }
  }
  return { fields: [...fields.values()], namedTypes: [...namedTypes.values()] };
}

function field(path: string, name: string, node: SchemaNode): FieldInfo {
  const target = deref(node);
  const doc = node.description ?? target.description;
  return {
    path,
    name,
    ...(doc ? { doc } : {}),
    tags: tagsOf(node.raw) ?? tagsOf(target.raw) ?? [],
    type: typeOf(node, 0),
  };
}

/** `confluent:tags`, as Confluent reads inline tags on JSON Schema properties. */
function tagsOf(raw: unknown): string[] | undefined {
  const tags = isObject(raw) ? raw['confluent:tags'] : undefined;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : undefined;
}

/** A short type: `string`, `integer`, `["null","string"]`, `#/definitions/Address`, `enum`... */
export function typeOf(node: SchemaNode, depth: number): string {
  switch (node.kind) {
    case 'number':
      return node.requiresInteger ? 'integer' : 'number';
    case 'ref':
      return node.ref;
    case 'empty':
      return 'any';
    case 'false':
      return 'never';
    case 'combined': {
      if (node.criterion === 'allOf') {
        const typed = node.synthetic
          ? node.subschemas.find((s) => s.kind !== 'enum' && s.kind !== 'const')
          : undefined;
        return typed ? typeOf(typed, depth) : 'allOf';
      }
      if (depth > 1) return node.criterion;
      return JSON.stringify(node.subschemas.map((s) => typeOf(s, depth + 1)));
    }
    default:
      return node.kind;
  }
}

function describesObject(node: SchemaNode): boolean {
  return (
    node.kind === 'object' ||
    (node.kind === 'combined' && node.synthetic && node.subschemas.some((s) => s.kind === 'object'))
  );
}

function isAncestor(visit: Visit): boolean {
  for (let p = visit.parent; p; p = p.parent) if (p.node === visit.node) return true;
  return false;
}
