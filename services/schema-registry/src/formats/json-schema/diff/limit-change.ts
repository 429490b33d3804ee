import type { DiffContext } from './diff-context.ts';
import type { DifferenceType } from './difference-type.ts';

/** The four ways a numeric keyword can change, in Confluent's naming order: added, removed, up, down. */
export type LimitChanges = readonly [DifferenceType, DifferenceType, DifferenceType, DifferenceType];

export function compareLimit(
  ctx: DiffContext,
  keyword: string,
  original: number | undefined,
  update: number | undefined,
  [added, removed, increased, decreased]: LimitChanges,
): void {
  if (original === update) return;
  if (original === undefined) ctx.add(added, keyword);
  else if (update === undefined) ctx.add(removed, keyword);
  else if (original < update) ctx.add(increased, keyword);
  else ctx.add(decreased, keyword);
}
