import type { SchemaNode } from '../schema-model.ts';
import type { Compare, DiffContext } from './diff-context.ts';

type NotNode = Extract<SchemaNode, { kind: 'not' }>;

/**
 * Confluent's NotSchemaDiff: what must not match may only grow, so the wrapped schemas are compared the
 * other way round; only the verdict is reported.
 */
export function compareNots(ctx: DiffContext, original: NotNode, update: NotNode, compare: Compare): void {
  ctx.at(['not'], () => {
    const sub = ctx.sub();
    compare(sub, update.schema, original.schema);
    ctx.add(sub.isCompatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
  });
}
