import type { SchemaNode } from '../schema-model.ts';
import type { DiffContext } from './diff-context.ts';
import { compareLimit } from './limit-change.ts';

type NumberNode = Extract<SchemaNode, { kind: 'number' }>;

/**
 * Confluent's NumberSchemaDiff: bounds, `multipleOf` and integer versus number. Divisibility is decided
 * exactly (Confluent takes `intValue()` of both, which truncates fractions and fails on `multipleOf` below 1).
 */
export function compareNumbers(ctx: DiffContext, original: NumberNode, update: NumberNode): void {
  compareLimit(ctx, 'maximum', original.maximum, update.maximum, [
    'MAXIMUM_ADDED',
    'MAXIMUM_REMOVED',
    'MAXIMUM_INCREASED',
    'MAXIMUM_DECREASED',
  ]);
  compareLimit(ctx, 'minimum', original.minimum, update.minimum, [
    'MINIMUM_ADDED',
    'MINIMUM_REMOVED',
    'MINIMUM_INCREASED',
    'MINIMUM_DECREASED',
  ]);
  compareLimit(ctx, 'exclusiveMaximum', original.exclusiveMaximum, update.exclusiveMaximum, [
    'EXCLUSIVE_MAXIMUM_ADDED',
    'EXCLUSIVE_MAXIMUM_REMOVED',
    'EXCLUSIVE_MAXIMUM_INCREASED',
    'EXCLUSIVE_MAXIMUM_DECREASED',
  ]);
  compareLimit(ctx, 'exclusiveMinimum', original.exclusiveMinimum, update.exclusiveMinimum, [
    'EXCLUSIVE_MINIMUM_ADDED',
    'EXCLUSIVE_MINIMUM_REMOVED',
    'EXCLUSIVE_MINIMUM_INCREASED',
    'EXCLUSIVE_MINIMUM_DECREASED',
  ]);
  compareMultipleOf(ctx, original.multipleOf, update.multipleOf);
  if (original.requiresInteger !== update.requiresInteger) {
    ctx.add(original.requiresInteger ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
  }
}

function compareMultipleOf(ctx: DiffContext, original: string | undefined, update: string | undefined): void {
  if (original === undefined && update === undefined) return;
  if (original === undefined) return ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
  if (update === undefined) return ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
  const [o, u] = commonScale(decimal(original), decimal(update));
  if (o === u) return;
  // Every multiple of the update is a multiple of the original: fewer values are valid.
  if (u % o === 0n) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
  else if (o % u === 0n) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
  else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
}

interface Decimal {
  readonly digits: bigint;
  readonly exponent: number;
}

/** A positive number as written by `String(n)` (`0.25`, `1e-7`, `1.5e+21`), exactly. */
function decimal(text: string): Decimal {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!m) return { digits: 1n, exponent: 0 };
  const fraction = m[2] ?? '';
  return { digits: BigInt(`${m[1]}${fraction}`), exponent: Number(m[3] ?? 0) - fraction.length };
}

function commonScale(a: Decimal, b: Decimal): [bigint, bigint] {
  const e = Math.min(a.exponent, b.exponent);
  return [a.digits * 10n ** BigInt(a.exponent - e), b.digits * 10n ** BigInt(b.exponent - e)];
}
