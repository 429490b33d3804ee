import type { SchemaNode } from '../schema-model.ts';
import type { Compare, DiffContext, Difference } from './diff-context.ts';
import { maximumMatching } from './maximum-matching.ts';
import type { Edge } from './maximum-matching.ts';

type CombinedNode = Extract<SchemaNode, { kind: 'combined' }>;

/**
 * Confluent's CombinedSchemaDiff. The criterion may widen (to `anyOf`, or between singletons); the
 * subschemas, duplicates collapsed, are paired by a maximum matching over the compatible pairs, and
 * the pairs' findings are reported at the original subschema's position (`#/oneOf/0/...`). If the
 * matching does not cover the smaller side, the subschemas changed incompatibly.
 */
export function compareCombined(
  ctx: DiffContext,
  original: CombinedNode,
  update: CombinedNode,
  compare: Compare,
): void {
  if (criteriaChangedIncompatibly(ctx, original, update)) return;
  const before = distinct(original.subschemas);
  const after = distinct(update.subschemas);
  if (before.length < after.length) {
    ctx.add(update.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  } else if (before.length > after.length) {
    ctx.add(original.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');
  }

  const edges: Edge<readonly Difference[]>[] = [];
  before.forEach((o, i) => {
    ctx.at([original.criterion, String(i)], () => {
      after.forEach((u, j) => {
        const sub = ctx.sub();
        compare(sub, o, u);
        if (sub.isCompatible())
          edges.push({ from: i, to: j, weight: sub.differences.length, value: sub.differences });
      });
    });
  });
  const matching = maximumMatching(before.length, after.length, edges);
  for (const edge of matching.sort((a, b) => a.from - b.from)) ctx.addAll(edge.value);
  if (matching.length < Math.min(before.length, after.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}

/** Records a change of criterion; true when it is incompatible (and the subschemas are not compared). */
function criteriaChangedIncompatibly(
  ctx: DiffContext,
  original: CombinedNode,
  update: CombinedNode,
): boolean {
  if (original.criterion === update.criterion) return false;
  const single = (n: CombinedNode) => n.subschemas.length === 1;
  const extended =
    update.criterion === 'anyOf' ||
    (single(original) && single(update)) ||
    (single(original) && update.criterion === 'oneOf') ||
    (single(update) && original.criterion === 'allOf');
  ctx.add(extended ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED');
  return !extended;
}

function distinct(subschemas: readonly SchemaNode[]): SchemaNode[] {
  const seen = new Set<string>();
  return subschemas.filter((s) => !seen.has(s.signature) && seen.add(s.signature));
}
