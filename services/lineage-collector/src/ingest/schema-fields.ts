import type { Field } from '../graph/graph-model.ts';
import type { Facets } from './lineage-event.ts';

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The fields of a `schema` facet (top level, as Marquez lists them), or undefined without one. */
export function schemaFields(facets: Facets): Field[] | undefined {
  const schema = obj(facets.schema);
  if (!schema || !Array.isArray(schema.fields)) return undefined;
  const tagsByField = new Map<string, string[]>();
  const tags = obj(facets.tags);
  if (tags && Array.isArray(tags.tags)) {
    for (const t of tags.tags) {
      const tag = obj(t);
      if (!tag || typeof tag.field !== 'string' || typeof tag.key !== 'string') continue;
      const list = tagsByField.get(tag.field) ?? [];
      list.push(tag.key);
      tagsByField.set(tag.field, list);
    }
  }
  return schema.fields.flatMap((f: unknown) => {
    const field = obj(f);
    if (!field || typeof field.name !== 'string') return [];
    return [
      {
        name: field.name,
        type: typeof field.type === 'string' ? field.type : null,
        description: typeof field.description === 'string' ? field.description : null,
        tags: tagsByField.get(field.name) ?? [],
      },
    ];
  });
}
