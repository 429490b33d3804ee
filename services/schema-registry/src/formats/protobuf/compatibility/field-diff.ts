import { SCALAR_TYPES, mapTypes } from '../proto-ast.ts';
import type { FieldElement, Label } from '../proto-ast.ts';
import type { DiffContext } from './diff-context.ts';
import { compareMessages } from './message-diff.ts';

/**
 * Confluent's `FieldSchemaDiff`: a field keeps its number but may change name; its kind (scalar or enum,
 * message, map) may not change; scalars may change only within a wire-compatible group; numeric fields
 * may not switch between singular and repeated; a message field must keep naming the same message (by
 * name without package), and when that message comes from another reference version it is compared too.
 */

type Kind = 'scalar' | 'map' | 'message';
type ScalarKind = 'varint' | 'zigzag' | 'length-delimited' | 'fixed32' | 'fixed64' | 'float' | 'double';

/** The groups of https://protobuf.dev/programming-guides/proto3/#updating, as Confluent groups them. */
const SCALAR_KINDS: Readonly<Record<string, ScalarKind>> = {
  int32: 'varint',
  int64: 'varint',
  uint32: 'varint',
  uint64: 'varint',
  bool: 'varint',
  sint32: 'zigzag',
  sint64: 'zigzag',
  string: 'length-delimited',
  bytes: 'length-delimited',
  fixed32: 'fixed32',
  sfixed32: 'fixed32',
  fixed64: 'fixed64',
  sfixed64: 'fixed64',
  float: 'float',
  double: 'double',
};

const GROUPS =
  'int32/int64/uint32/uint64/bool/enums, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64, string/bytes';

export function compareFields(ctx: DiffContext, original: FieldElement, update: FieldElement): void {
  const what = `field '${update.name}' (${update.tag}) of message '${ctx.scopeName(false)}'`;
  if (original.name !== update.name) {
    ctx.add(
      'FIELD_NAME_CHANGED',
      `field ${update.tag} of message '${ctx.scopeName(false)}' was renamed from '${original.name}' to '${update.name}'`,
    );
  }
  compareLabelsAndTypes(ctx, original.label, update.label, original.type, update.type, what);
}

function compareLabelsAndTypes(
  ctx: DiffContext,
  originalLabel: Label | null,
  updateLabel: Label | null,
  originalType: string,
  updateType: string,
  what: string,
): void {
  const o = mapEntryAsMap(ctx, originalType, true);
  const u = mapEntryAsMap(ctx, updateType, false);
  const ok = kind(ctx, o, true);
  const uk = kind(ctx, u, false);
  if (ok !== uk) {
    ctx.add(
      'FIELD_KIND_CHANGED',
      `${what} is ${describe(ctx, o, ok, true)} in the writer schema but ${describe(ctx, u, uk, false)} in the reader schema; a field cannot change between scalar/enum, message and map`,
    );
    return;
  }
  switch (ok) {
    case 'scalar':
      return compareScalars(ctx, originalLabel, updateLabel, o, u, what);
    case 'message':
      return compareMessageTypes(ctx, o, u, what);
    case 'map': {
      const om = mapTypes(o)!;
      const um = mapTypes(u)!;
      compareLabelsAndTypes(ctx, null, null, om.key, um.key, `the key of map ${what}`);
      compareLabelsAndTypes(ctx, null, null, om.value, um.value, `the value of map ${what}`);
    }
  }
}

function compareScalars(
  ctx: DiffContext,
  originalLabel: Label | null,
  updateLabel: Label | null,
  originalType: string,
  updateType: string,
  what: string,
): void {
  const ok = scalarKind(originalType);
  const uk = scalarKind(updateType);
  if (ok !== uk) {
    ctx.add(
      'FIELD_SCALAR_KIND_CHANGED',
      `${what} is ${originalType} in the writer schema but ${updateType} in the reader schema, which is not wire-compatible (compatible groups: ${GROUPS})`,
    );
    return;
  }
  if (originalLabel === null || updateLabel === null || originalLabel === updateLabel) return;
  if (ok === 'length-delimited') {
    ctx.add('FIELD_STRING_OR_BYTES_LABEL_CHANGED', `${what} changed from ${originalLabel} to ${updateLabel}`);
  } else {
    ctx.add(
      'FIELD_NUMERIC_LABEL_CHANGED',
      `${what} is ${originalLabel} in the writer schema but ${updateLabel} in the reader schema; a numeric field cannot change between singular and repeated`,
    );
  }
}

function compareMessageTypes(ctx: DiffContext, originalType: string, updateType: string, what: string): void {
  const originalName = ctx.resolve(originalType, true);
  const updateName = ctx.resolve(updateType, false);
  if (originalName === null || updateName === null) {
    if (originalType !== updateType) {
      ctx.add(
        'FIELD_NAMED_TYPE_CHANGED',
        `${what} is of type '${originalType}' in the writer schema but '${updateType}' in the reader schema`,
      );
    }
    return;
  }
  const o = ctx.original.table.types.get(originalName)!;
  const u = ctx.update.table.types.get(updateName)!;
  const local = (fullName: string, pkg: string) =>
    pkg && fullName.startsWith(`${pkg}.`) ? fullName.slice(pkg.length + 1) : fullName;
  const originalLocal = local(originalName, o.packageName);
  if (originalLocal !== local(updateName, u.packageName)) {
    ctx.add(
      'FIELD_NAMED_TYPE_CHANGED',
      `${what} is of message type '${originalName}' in the writer schema but '${updateName}' in the reader schema`,
    );
    return;
  }
  const oRef = o.source.reference;
  const uRef = u.source.reference;
  // Both local, or the same subject version on both sides: nothing more to compare.
  if (oRef && uRef && oRef.subject === uRef.subject && oRef.version === uRef.version) return;
  if (o.element.kind !== 'message' || u.element.kind !== 'message') return;
  const key = `${originalName}\u0000${updateName}`;
  let result = ctx.memo.get(key);
  if (!result) {
    const sub = ctx.subcontext(
      { table: ctx.original.table, packageName: o.packageName },
      { table: ctx.update.table, packageName: u.packageName },
      originalLocal,
    );
    compareMessages(sub, o.element, u.element);
    result = { differences: sub.differences, compatible: sub.isCompatible() };
    ctx.memo.set(key, result);
  }
  ctx.addAll(result.differences);
  if (!result.compatible) {
    ctx.add(
      'FIELD_NAMED_TYPE_CHANGED',
      `${what} is of message type '${updateName}', which differs incompatibly between the writer and the reader schema (see the issues under #/${originalLocal.replaceAll('.', '/')})`,
    );
  }
}

/** A reference to a `map_entry` message (descriptor-generated text) stands for the map it encodes. */
function mapEntryAsMap(ctx: DiffContext, type: string, isOriginal: boolean): string {
  if (SCALAR_TYPES.has(type) || type.startsWith('map<')) return type;
  const info = ctx.getType(type, isOriginal);
  if (!info?.isMap || info.element.kind !== 'message') return type;
  const key = info.element.fields.find((f) => f.name === 'key');
  const value = info.element.fields.find((f) => f.name === 'value');
  return key && value ? `map<${key.type}, ${value.type}>` : type;
}

function kind(ctx: DiffContext, type: string, isOriginal: boolean): Kind {
  if (SCALAR_TYPES.has(type)) return 'scalar';
  if (type.startsWith('map<')) return 'map';
  return ctx.getType(type, isOriginal)?.element.kind === 'enum' ? 'scalar' : 'message';
}

/** Called for scalars and enums only (see `kind`); enums are varints. */
function scalarKind(type: string): ScalarKind {
  return SCALAR_KINDS[type] ?? 'varint';
}

function describe(ctx: DiffContext, type: string, k: Kind, isOriginal: boolean): string {
  if (k === 'map') return type;
  if (k === 'message') return `message '${ctx.resolve(type, isOriginal) ?? type}'`;
  return SCALAR_TYPES.has(type) ? type : `enum '${ctx.resolve(type, isOriginal) ?? type}'`;
}
