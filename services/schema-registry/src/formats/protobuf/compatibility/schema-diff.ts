import type { EnumElement, MessageElement, ProtoFile, TypeElement } from '../proto-ast.ts';
import type { TypeTable } from '../type-table.ts';
import { DiffContext } from './diff-context.ts';
import type { Difference } from './difference.ts';
import { compareEnums } from './enum-diff.ts';
import { compareMessages } from './message-diff.ts';

/**
 * Confluent's `SchemaDiff.compare(original, update)`: every difference between two Protobuf schemas,
 * compatible or not. `original` is the schema data was written with, `update` the one reading it.
 */
export function diffSchemas(
  original: { file: ProtoFile; table: TypeTable },
  update: { file: ProtoFile; table: TypeTable },
): Difference[] {
  const ctx = new DiffContext(
    { table: original.table, packageName: original.file.packageName ?? '' },
    { table: update.table, packageName: update.file.packageName ?? '' },
  );
  if ((original.file.packageName ?? null) !== (update.file.packageName ?? null)) {
    ctx.add(
      'PACKAGE_CHANGED',
      `the package changed from '${original.file.packageName ?? ''}' (writer) to '${update.file.packageName ?? ''}' (reader)`,
    );
  }
  compareTypeElements(ctx, original.file.types, update.file.types);
  return ctx.differences;
}

/** Messages are matched by name (and their index among messages noted), then enums by name. */
export function compareTypeElements(
  ctx: DiffContext,
  original: readonly TypeElement[],
  update: readonly TypeElement[],
): void {
  const o = indexTypes(original);
  const u = indexTypes(update);
  for (const name of union(o.messages.keys(), u.messages.keys())) {
    ctx.withName(name, () => {
      const before = o.messages.get(name);
      const after = u.messages.get(name);
      if (!after) {
        if (!ctx.getType(name, true)?.isMap) {
          ctx.add(
            'MESSAGE_REMOVED',
            `message '${ctx.scopeName(true)}' of the writer schema is missing from the reader schema`,
          );
        }
      } else if (!before) {
        if (!ctx.getType(name, false)?.isMap)
          ctx.add('MESSAGE_ADDED', `message '${ctx.scopeName(false)}' was added`);
      } else {
        compareMessages(ctx, before.element, after.element);
        if (before.index !== after.index) {
          // Compatible: serialized message indexes refer to the schema of the id they were written with.
          ctx.add(
            'MESSAGE_MOVED',
            `message '${ctx.scopeName(false)}' moved from position ${before.index} to ${after.index}`,
          );
        }
      }
    });
  }
  for (const name of union(o.enums.keys(), u.enums.keys())) {
    ctx.withName(name, () => {
      const before = o.enums.get(name);
      const after = u.enums.get(name);
      if (!after) ctx.add('ENUM_REMOVED', `enum '${ctx.scopeName(true)}' was removed`);
      else if (!before) ctx.add('ENUM_ADDED', `enum '${ctx.scopeName(false)}' was added`);
      else compareEnums(ctx, before, after);
    });
  }
}

function indexTypes(types: readonly TypeElement[]) {
  const messages = new Map<string, { element: MessageElement; index: number }>();
  const enums = new Map<string, EnumElement>();
  let index = 0;
  for (const type of types) {
    if (type.kind === 'message') messages.set(type.name, { element: type, index: index++ });
    else enums.set(type.name, type);
  }
  return { messages, enums };
}

function union<T>(a: Iterable<T>, b: Iterable<T>): T[] {
  return [...new Set([...a, ...b])];
}
