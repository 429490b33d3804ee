import type { SchemaNode } from '../schema-model.ts';
import type { Compare, DiffContext } from './diff-context.ts';
import { compareLimit } from './limit-change.ts';

type ObjectNode = Extract<SchemaNode, { kind: 'object' }>;

/**
 * Confluent's ObjectSchemaDiff. The content model decides what adding or removing a property means:
 * open (no `additionalProperties`, or `true`, and no `patternProperties`) accepts any value under any
 * name, closed (`additionalProperties: false`) none, partially open (a schema for additional or
 * pattern-named properties) the values that schema accepts. A property may be added where the writer was
 * closed, or covered by the writer's partial model, and removed where the reader stays open or covers it.
 */
export function compareObjects(
  ctx: DiffContext,
  original: ObjectNode,
  update: ObjectNode,
  compare: Compare,
): void {
  compareRequired(ctx, original, update);
  compareProperties(ctx, original, update, compare);
  compareDependencies(ctx, original, update, compare);
  compareAdditionalProperties(ctx, original, update, compare);
  compareLimit(ctx, 'maxProperties', original.maxProperties, update.maxProperties, [
    'MAX_PROPERTIES_ADDED',
    'MAX_PROPERTIES_REMOVED',
    'MAX_PROPERTIES_INCREASED',
    'MAX_PROPERTIES_DECREASED',
  ]);
  compareLimit(ctx, 'minProperties', original.minProperties, update.minProperties, [
    'MIN_PROPERTIES_ADDED',
    'MIN_PROPERTIES_REMOVED',
    'MIN_PROPERTIES_INCREASED',
    'MIN_PROPERTIES_DECREASED',
  ]);
}

function compareRequired(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  for (const name of original.properties.keys()) {
    const updated = update.properties.get(name);
    if (!updated) continue;
    const before = original.required.includes(name);
    const after = update.required.includes(name);
    if (before && !after) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', 'required', name);
    else if (!before && after) {
      ctx.add(
        updated.defaultValue ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
        'required',
        name,
      );
    }
  }
}

function compareProperties(
  ctx: DiffContext,
  original: ObjectNode,
  update: ObjectNode,
  compare: Compare,
): void {
  const names = new Set([...original.properties.keys(), ...update.properties.keys()]);
  for (const name of names) {
    ctx.at(['properties', name], () => {
      const before = original.properties.get(name);
      const after = update.properties.get(name);
      if (before && after) compare(ctx, before, after);
      else if (before) propertyRemoved(ctx, name, before, update, compare);
      else if (after) propertyAdded(ctx, name, after, original, update, compare);
    });
  }
}

/** Only the reader's content model matters: can it still read the values written under `name`? */
function propertyRemoved(
  ctx: DiffContext,
  name: string,
  before: SchemaNode,
  update: ObjectNode,
  compare: Compare,
): void {
  if (isOpen(update)) {
    ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
    return;
  }
  const covering = partialModelFor(update, name);
  if (covering) {
    const sub = ctx.sub();
    compare(sub, before, covering);
    ctx.addAll(sub);
    ctx.add(
      sub.isCompatible()
        ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
  } else {
    ctx.add(
      before.kind === 'false'
        ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
        : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    );
  }
}

/** Only the writer's content model matters: what may old data already hold under `name`? */
function propertyAdded(
  ctx: DiffContext,
  name: string,
  after: SchemaNode,
  original: ObjectNode,
  update: ObjectNode,
  compare: Compare,
): void {
  const required = update.required.includes(name);
  const withDefault = after.defaultValue !== undefined;
  if (isOpen(original)) {
    if (after.kind === 'empty') ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
    else if (!required) ctx.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    else if (withDefault) ctx.add('REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL');
    else ctx.add('REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    return;
  }
  const covering = partialModelFor(original, name);
  if (covering) {
    const sub = ctx.sub();
    compare(sub, covering, after);
    ctx.addAll(sub);
    ctx.add(
      sub.isCompatible()
        ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
  }
  // Closed and partially open writers alike: old data lacks the property, so a required one needs a default.
  if (!required) ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
  else if (withDefault) ctx.add('REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL');
  else ctx.add('REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
}

function compareDependencies(
  ctx: DiffContext,
  original: ObjectNode,
  update: ObjectNode,
  compare: Compare,
): void {
  const arrays = new Set([...original.propertyDependencies.keys(), ...update.propertyDependencies.keys()]);
  for (const name of arrays) {
    const before = original.propertyDependencies.get(name);
    const after = update.propertyDependencies.get(name);
    if (!after) ctx.add('DEPENDENCY_ARRAY_REMOVED', 'dependencies', name);
    else if (!before) ctx.add('DEPENDENCY_ARRAY_ADDED', 'dependencies', name);
    else {
      const b = new Set(before);
      const a = new Set(after);
      if (b.size === a.size && [...b].every((x) => a.has(x))) continue;
      if ([...b].every((x) => a.has(x))) ctx.add('DEPENDENCY_ARRAY_EXTENDED', 'dependencies', name);
      else if ([...a].every((x) => b.has(x))) ctx.add('DEPENDENCY_ARRAY_NARROWED', 'dependencies', name);
      else ctx.add('DEPENDENCY_ARRAY_CHANGED', 'dependencies', name);
    }
  }
  const schemas = new Set([...original.schemaDependencies.keys(), ...update.schemaDependencies.keys()]);
  for (const name of schemas) {
    const before = original.schemaDependencies.get(name);
    const after = update.schemaDependencies.get(name);
    if (!after) ctx.add('DEPENDENCY_SCHEMA_REMOVED', 'dependencies', name);
    else if (!before) ctx.add('DEPENDENCY_SCHEMA_ADDED', 'dependencies', name);
    else ctx.at(['dependencies', name], () => compare(ctx, before, after));
  }
}

function compareAdditionalProperties(
  ctx: DiffContext,
  original: ObjectNode,
  update: ObjectNode,
  compare: Compare,
): void {
  ctx.at(['additionalProperties'], () => {
    if (original.permitsAdditionalProperties !== update.permitsAdditionalProperties) {
      ctx.add(
        update.permitsAdditionalProperties ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED',
      );
    } else if (!original.additionalProperties && update.additionalProperties) {
      ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    } else if (original.additionalProperties && !update.additionalProperties) {
      ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    } else {
      compare(ctx, original.additionalProperties, update.additionalProperties);
    }
  });
}

function isOpen(node: ObjectNode): boolean {
  return (
    node.patternProperties.length === 0 && !node.additionalProperties && node.permitsAdditionalProperties
  );
}

/** The schema a partially open model gives a property called `name`: a matching pattern's, else the additional one. */
function partialModelFor(node: ObjectNode, name: string): SchemaNode | undefined {
  for (const p of node.patternProperties) if (p.regex?.test(name)) return p.schema;
  return node.additionalProperties;
}
