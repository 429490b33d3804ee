import type { SchemaNode } from '../schema-model.ts';
import type { Compare, DiffContext } from './diff-context.ts';
import { compareLimit } from './limit-change.ts';

type ArrayNode = Extract<SchemaNode, { kind: 'array' }>;

/**
 * Confluent's ArraySchemaDiff: `items` as one schema, `items` as a list (positions beyond the other
 * side's list are judged by its content model, as properties are), `additionalItems`, and the limits.
 */
export function compareArrays(
  ctx: DiffContext,
  original: ArrayNode,
  update: ArrayNode,
  compare: Compare,
): void {
  ctx.at(['items'], () => compare(ctx, original.allItems, update.allItems));
  compareItemLists(ctx, original, update, compare);
  compareAdditionalItems(ctx, original, update, compare);
  compareLimit(ctx, 'maxItems', original.maxItems, update.maxItems, [
    'MAX_ITEMS_ADDED',
    'MAX_ITEMS_REMOVED',
    'MAX_ITEMS_INCREASED',
    'MAX_ITEMS_DECREASED',
  ]);
  compareLimit(ctx, 'minItems', original.minItems, update.minItems, [
    'MIN_ITEMS_ADDED',
    'MIN_ITEMS_REMOVED',
    'MIN_ITEMS_INCREASED',
    'MIN_ITEMS_DECREASED',
  ]);
  if (original.uniqueItems !== update.uniqueItems) {
    ctx.add(original.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
  }
}

function compareItemLists(ctx: DiffContext, original: ArrayNode, update: ArrayNode, compare: Compare): void {
  const before = original.itemList ?? [];
  const after = update.itemList ?? [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    ctx.at(['items', String(i)], () => {
      const o = before[i];
      const u = after[i];
      if (o && u) compare(ctx, o, u);
      else if (o) itemRemoved(ctx, o, update, compare);
      else if (u) itemAdded(ctx, u, original, compare);
    });
  }
}

function itemRemoved(ctx: DiffContext, before: SchemaNode, update: ArrayNode, compare: Compare): void {
  if (isOpen(update)) {
    ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
  } else if (update.additionalItems) {
    const sub = ctx.sub();
    compare(sub, before, update.additionalItems);
    ctx.addAll(sub);
    ctx.add(
      sub.isCompatible()
        ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
  } else {
    ctx.add(
      before.kind === 'false'
        ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
        : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    );
  }
}

function itemAdded(ctx: DiffContext, after: SchemaNode, original: ArrayNode, compare: Compare): void {
  if (isOpen(original)) {
    ctx.add(
      after.kind === 'empty'
        ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
        : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
    );
  } else if (original.additionalItems) {
    const sub = ctx.sub();
    compare(sub, original.additionalItems, after);
    ctx.addAll(sub);
    ctx.add(
      sub.isCompatible()
        ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
  } else {
    ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
  }
}

function compareAdditionalItems(
  ctx: DiffContext,
  original: ArrayNode,
  update: ArrayNode,
  compare: Compare,
): void {
  ctx.at(['additionalItems'], () => {
    if (original.permitsAdditionalItems !== update.permitsAdditionalItems) {
      ctx.add(original.permitsAdditionalItems ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    } else if (!original.additionalItems && update.additionalItems) {
      ctx.add('ADDITIONAL_ITEMS_NARROWED');
    } else if (original.additionalItems && !update.additionalItems) {
      ctx.add('ADDITIONAL_ITEMS_EXTENDED');
    } else {
      compare(ctx, original.additionalItems, update.additionalItems);
    }
  });
}

function isOpen(node: ArrayNode): boolean {
  return !node.additionalItems && node.permitsAdditionalItems;
}
