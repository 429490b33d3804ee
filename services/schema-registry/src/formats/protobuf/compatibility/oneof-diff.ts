import type { FieldElement, OneOfElement } from '../proto-ast.ts';
import type { DiffContext } from './diff-context.ts';
import { compareFields } from './field-diff.ts';

/**
 * Confluent's `OneOfDiff` for a oneof present on both sides. A member that left the oneof but still
 * exists in the message (moved out, or to another oneof) was relocated, not removed: only a member whose
 * number is gone from the whole reader message is ONEOF_FIELD_REMOVED.
 */
export function compareOneOfs(
  ctx: DiffContext,
  original: OneOfElement,
  update: OneOfElement,
  updateTags: ReadonlySet<number>,
): void {
  const byTag = (o: OneOfElement) => new Map<number, FieldElement>(o.fields.map((f) => [f.tag, f]));
  const before = byTag(original);
  const after = byTag(update);
  const where = `oneof '${original.name}' of message '${ctx.scopeName(false)}'`;
  const tags = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  for (const tag of tags) {
    ctx.withPath(String(tag), () => {
      const o = before.get(tag);
      const u = after.get(tag);
      if (!u) {
        if (!updateTags.has(tag)) {
          ctx.add(
            'ONEOF_FIELD_REMOVED',
            `field '${o!.name}' (${tag}) was removed from ${where}; a reader could not read data that chose it`,
          );
        }
      } else if (!o) {
        ctx.add('ONEOF_FIELD_ADDED', `field '${u.name}' (${tag}) was added to ${where}`);
      } else {
        compareFields(ctx, o, u);
      }
    });
  }
}
