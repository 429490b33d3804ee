import type { EnumConstantElement, EnumElement } from '../proto-ast.ts';
import type { DiffContext } from './diff-context.ts';

/** Confluent's `EnumSchemaDiff`: values matched by number; every enum change is compatible there. */
export function compareEnums(ctx: DiffContext, original: EnumElement, update: EnumElement): void {
  const byTag = (e: EnumElement) => new Map<number, EnumConstantElement>(e.constants.map((c) => [c.tag, c]));
  const o = byTag(original);
  const u = byTag(update);
  const tags = [...new Set([...o.keys(), ...u.keys()])].sort((a, b) => a - b);
  const name = ctx.scopeName(false);
  for (const tag of tags) {
    ctx.withPath(String(tag), () => {
      const before = o.get(tag);
      const after = u.get(tag);
      if (!after)
        ctx.add('ENUM_CONST_REMOVED', `value ${before!.name} = ${tag} was removed from enum '${name}'`);
      else if (!before)
        ctx.add('ENUM_CONST_ADDED', `value ${after.name} = ${tag} was added to enum '${name}'`);
      else if (before.name !== after.name) {
        ctx.add(
          'ENUM_CONST_CHANGED',
          `value ${tag} of enum '${name}' was renamed from ${before.name} to ${after.name}`,
        );
      }
    });
  }
}
