import type { SchemaNode } from '../schema-model.ts';
import type { DiffContext } from './diff-context.ts';
import { compareLimit } from './limit-change.ts';

type StringNode = Extract<SchemaNode, { kind: 'string' }>;

/** Confluent's StringSchemaDiff: lengths and pattern (compared as written; `format` is not compared). */
export function compareStrings(ctx: DiffContext, original: StringNode, update: StringNode): void {
  compareLimit(ctx, 'maxLength', original.maxLength, update.maxLength, [
    'MAX_LENGTH_ADDED',
    'MAX_LENGTH_REMOVED',
    'MAX_LENGTH_INCREASED',
    'MAX_LENGTH_DECREASED',
  ]);
  compareLimit(ctx, 'minLength', original.minLength, update.minLength, [
    'MIN_LENGTH_ADDED',
    'MIN_LENGTH_REMOVED',
    'MIN_LENGTH_INCREASED',
    'MIN_LENGTH_DECREASED',
  ]);
  if (original.pattern === undefined && update.pattern !== undefined) ctx.add('PATTERN_ADDED', 'pattern');
  else if (original.pattern !== undefined && update.pattern === undefined)
    ctx.add('PATTERN_REMOVED', 'pattern');
  else if (original.pattern !== update.pattern) ctx.add('PATTERN_CHANGED', 'pattern');
}
