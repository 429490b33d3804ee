import type { FieldElement, MessageElement, OneOfElement } from '../proto-ast.ts';
import type { DiffContext } from './diff-context.ts';
import { compareFields } from './field-diff.ts';
import { compareOneOfs } from './oneof-diff.ts';
import { compareTypeElements } from './schema-diff.ts';

/**
 * Confluent's `MessageSchemaDiff` (its latest form): fields are matched by number; moving fields into a
 * oneof is allowed only when that makes no previously independent fields mutually exclusive; a field
 * whose oneof membership changed is still compared by number, so a type change cannot hide behind it.
 */
export function compareMessages(ctx: DiffContext, original: MessageElement, update: MessageElement): void {
  ctx.withSchema(original, () => compareMembers(ctx, original, update));
  compareTypeElements(ctx, original.nestedTypes, update.nestedTypes);
}

function compareMembers(ctx: DiffContext, original: MessageElement, update: MessageElement): void {
  const messageName = ctx.scopeName(false);
  const originalByTag = byTag(original.fields);
  const updateByTag = byTag(update.fields);
  const originalAll = new Map(originalByTag);
  const updateAll = new Map(updateByTag);
  const originalOneOfOf = new Map<number, string>();
  const updateOneOfOf = new Map<number, string>();
  const originalOneOfs = new Map<string, OneOfElement>();
  const updateOneOfs = new Map<string, OneOfElement>();

  for (const oneOf of original.oneOfs) {
    originalOneOfs.set(oneOf.name, oneOf);
    for (const field of oneOf.fields) {
      originalAll.set(field.tag, field);
      originalOneOfOf.set(field.tag, oneOf.name);
    }
  }

  for (const oneOf of update.oneOfs) {
    updateOneOfs.set(oneOf.name, oneOf);
    ctx.withPath(oneOf.name, () => {
      // The writer's "mutual-exclusivity groups" among this oneof's members: fields already in one
      // writer oneof share a group, each writer top-level field is its own, new fields do not count.
      const groups = new Set<string>();
      const movedIn: FieldElement[] = [];
      for (const field of oneOf.fields) {
        updateAll.set(field.tag, field);
        updateOneOfOf.set(field.tag, oneOf.name);
        originalByTag.delete(field.tag); // moved in from the top level: not a removal
        const writerOneOf = originalOneOfOf.get(field.tag);
        if (writerOneOf !== undefined) groups.add(`oneof:${writerOneOf}`);
        else if (originalAll.has(field.tag)) {
          groups.add(`field:${field.tag}`);
          movedIn.push(field);
        }
      }
      if (groups.size <= 1) return;
      const where = `oneof '${oneOf.name}' of message '${messageName}'`;
      const names = movedIn.map((f) => `'${f.name}' (${f.tag})`).join(', ');
      if (movedIn.length > 1) {
        ctx.add(
          'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
          `${where} in the reader schema holds fields ${names} that are independent in the writer schema; data that set more than one of them cannot be read`,
        );
      } else {
        ctx.add(
          'FIELD_MOVED_TO_EXISTING_ONEOF',
          movedIn.length === 1
            ? `${where} in the reader schema joins field ${names} with fields of another oneof of the writer schema; data that set both cannot be read`
            : `${where} in the reader schema joins fields of several oneofs of the writer schema; data that set one in each cannot be read`,
        );
      }
    });
  }

  for (const name of [...new Set([...originalOneOfs.keys(), ...updateOneOfs.keys()])].sort()) {
    ctx.withPath(name, () => {
      const before = originalOneOfs.get(name);
      const after = updateOneOfs.get(name);
      if (!after) ctx.add('ONEOF_REMOVED', `oneof '${name}' was removed from message '${messageName}'`);
      else if (!before) ctx.add('ONEOF_ADDED', `oneof '${name}' was added to message '${messageName}'`);
      else compareOneOfs(ctx, before, after, new Set(updateAll.keys()));
    });
  }

  for (const tag of sortedUnion(originalByTag.keys(), updateByTag.keys())) {
    ctx.withPath(String(tag), () => {
      const before = originalByTag.get(tag);
      const after = updateByTag.get(tag);
      if (!after) {
        const field = `field '${before!.name}' (${tag}) of message '${messageName}'`;
        if (before!.label === 'required') {
          ctx.add(
            'REQUIRED_FIELD_REMOVED',
            `required ${field} in the writer schema is missing from the reader schema`,
          );
        } else {
          ctx.add('FIELD_REMOVED', `${field} was removed`);
        }
      } else if (!before) {
        const field = `field '${after.name}' (${tag}) of message '${messageName}'`;
        if (after.label === 'required') {
          ctx.add(
            'REQUIRED_FIELD_ADDED',
            `required ${field} is new in the reader schema; data written without it cannot be read`,
          );
        } else {
          ctx.add('FIELD_ADDED', `${field} was added`);
        }
      } else {
        compareFields(ctx, before, after);
      }
    });
  }

  // Fields whose oneof membership changed (moved in or out, or the oneof renamed) were compared neither
  // above nor in a oneof: compare their contents by number too.
  for (const tag of sortedUnion(originalAll.keys(), [])) {
    const after = updateAll.get(tag);
    if (!after) continue;
    const writerOneOf = originalOneOfOf.get(tag);
    const readerOneOf = updateOneOfOf.get(tag);
    if (writerOneOf === readerOneOf) continue;
    ctx.withPath(String(tag), () => compareFields(ctx, originalAll.get(tag)!, after));
  }
}

function byTag(fields: readonly FieldElement[]): Map<number, FieldElement> {
  return new Map(fields.map((f) => [f.tag, f]));
}

function sortedUnion(a: Iterable<number>, b: Iterable<number>): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}
