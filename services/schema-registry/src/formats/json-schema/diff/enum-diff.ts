import { valueKey } from '../canonical-json.ts';
import type { SchemaNode } from '../schema-model.ts';
import type { DiffContext } from './diff-context.ts';

type EnumNode = Extract<SchemaNode, { kind: 'enum' }>;
type ConstNode = Extract<SchemaNode, { kind: 'const' }>;

/** Confluent's EnumSchemaDiff: values added (compatible), removed or replaced (not). */
export function compareEnums(ctx: DiffContext, original: EnumNode, update: EnumNode): void {
  const before = original.values.map(valueKey);
  const after = update.values.map(valueKey);
  if (before.length === after.length && before.every((v, i) => v === after[i])) return;
  const afterSet = new Set(after);
  const beforeSet = new Set(before);
  if (before.every((v) => afterSet.has(v))) ctx.add('ENUM_ARRAY_EXTENDED', 'enum');
  else if (after.every((v) => beforeSet.has(v))) ctx.add('ENUM_ARRAY_NARROWED', 'enum');
  else ctx.add('ENUM_ARRAY_CHANGED', 'enum');
}

/** Confluent's ConstSchemaDiff: any other constant is a changed enum. */
export function compareConsts(ctx: DiffContext, original: ConstNode, update: ConstNode): void {
  if (valueKey(original.value) !== valueKey(update.value)) ctx.add('ENUM_ARRAY_CHANGED', 'const');
}
