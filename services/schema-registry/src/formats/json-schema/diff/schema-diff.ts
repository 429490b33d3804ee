import { valueKey } from '../canonical-json.ts';
import { deref } from '../schema-model.ts';
import type { SchemaNode } from '../schema-model.ts';
import { compareArrays } from './array-diff.ts';
import { compareCombined } from './combined-diff.ts';
import { DiffContext } from './diff-context.ts';
import type { Difference } from './diff-context.ts';
import { compareConsts, compareEnums } from './enum-diff.ts';
import { compareNots } from './not-diff.ts';
import { compareNumbers } from './number-diff.ts';
import { compareObjects } from './object-diff.ts';
import { compareStrings } from './string-diff.ts';

/**
 * Confluent's `SchemaDiff.compare(original, update)`: everything that changed from the schema data was
 * written with (`original`) to the schema that reads it (`update`), each change named by its
 * `Difference.Type`. Compatible when every change is in `COMPATIBLE_CHANGES`.
 */
export function diffSchemas(original: SchemaNode, update: SchemaNode): Difference[] {
  const ctx = DiffContext.start();
  compare(ctx, original, update);
  return ctx.differences;
}

export function compare(
  ctx: DiffContext,
  original: SchemaNode | undefined,
  update: SchemaNode | undefined,
): void {
  if (!original && !update) return;
  if (!original) {
    ctx.add('SCHEMA_ADDED');
    return;
  }
  if (!update) {
    ctx.add('SCHEMA_REMOVED');
    return;
  }
  // References are compared by what they refer to.
  const a = deref(original);
  const b = deref(update);
  ctx.pair(`${a.uid}:${b.uid}`, (inner) => comparePair(inner, a, b));
}

function comparePair(ctx: DiffContext, original: SchemaNode, update: SchemaNode): void {
  if (original.kind !== 'combined' && update.kind === 'combined') {
    const subschemas = update.subschemas;
    if (subschemas.length === 1) {
      // A singleton union is its member.
      if (tryCompatible(ctx, original, subschemas[0]!)) return;
    } else if (update.criterion !== 'allOf') {
      for (const subschema of subschemas) {
        if (tryCompatible(ctx, original, subschema)) {
          ctx.add('SUM_TYPE_EXTENDED');
          return;
        }
      }
    }
  } else if (original.kind === 'combined' && update.kind !== 'combined') {
    const subschemas = original.subschemas;
    if (subschemas.length === 1) {
      if (tryCompatible(ctx, subschemas[0]!, update)) return;
    } else if (original.criterion === 'allOf') {
      for (const subschema of subschemas) {
        if (tryCompatible(ctx, subschema, update)) {
          ctx.add('PRODUCT_TYPE_NARROWED');
          return;
        }
      }
    }
  }

  if (original.kind !== update.kind) {
    // Nothing can be written with `false`, and the empty schema (or `true`) reads anything.
    if (original.kind !== 'false' && update.kind !== 'empty') ctx.add('TYPE_CHANGED');
    return;
  }

  ctx.enterOriginal(original, () => {
    if (original.id !== update.id) ctx.add('ID_CHANGED');
    if (original.title !== update.title) ctx.add('TITLE_CHANGED');
    if (original.description !== update.description) ctx.add('DESCRIPTION_CHANGED');
    if (defaultKey(original) !== defaultKey(update)) ctx.add('DEFAULT_CHANGED');
    compareKinds(ctx, original, update);
  });
}

/** Compares in a subcontext and keeps the findings only if they are all compatible. */
function tryCompatible(ctx: DiffContext, original: SchemaNode, update: SchemaNode): boolean {
  const sub = ctx.sub();
  compare(sub, original, update);
  if (!sub.isCompatible()) return false;
  ctx.addAll(sub);
  return true;
}

function compareKinds(ctx: DiffContext, original: SchemaNode, update: SchemaNode): void {
  switch (original.kind) {
    case 'string':
      if (update.kind === 'string') compareStrings(ctx, original, update);
      return;
    case 'number':
      if (update.kind === 'number') compareNumbers(ctx, original, update);
      return;
    case 'enum':
      if (update.kind === 'enum') compareEnums(ctx, original, update);
      return;
    case 'const':
      if (update.kind === 'const') compareConsts(ctx, original, update);
      return;
    case 'combined':
      if (update.kind === 'combined') compareCombined(ctx, original, update, compare);
      return;
    case 'not':
      if (update.kind === 'not') compareNots(ctx, original, update, compare);
      return;
    case 'object':
      if (update.kind === 'object') compareObjects(ctx, original, update, compare);
      return;
    case 'array':
      if (update.kind === 'array') compareArrays(ctx, original, update, compare);
      return;
    default:
      return;
  }
}

function defaultKey(node: SchemaNode): string | undefined {
  return node.defaultValue === undefined ? undefined : valueKey(node.defaultValue.value);
}
