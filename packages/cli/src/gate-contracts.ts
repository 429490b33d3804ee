import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contractFields } from '@data-spine/residency-gate';
import type { FieldInput } from '@data-spine/residency-gate';

export interface LocalContract {
  fields: FieldInput[];
  classification: string | null;
  file: string;
  /** Why the file cannot be read for fields and tags (then `fields` is empty and the route is denied). */
  unreadable: string | null;
}

/**
 * The contract of a table from a directory of `.avsc` files (schema/contracts names them
 * `<topic prefix>.<schema>.<table>.avsc`), trying each name in turn; null when none exists. Nested fields
 * come flattened to dotted paths (`addresses.street`) with their tags, as the gate reads a registry's.
 */
export async function localContract(dir: string, names: readonly string[]): Promise<LocalContract | null> {
  for (const name of names) {
    const file = join(dir, `${name}.avsc`);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    try {
      const c = contractFields(name, { schema: text, schemaType: 'AVRO' });
      return { fields: c.fields, classification: c.classification, file, unreadable: null };
    } catch (err) {
      return { fields: [], classification: null, file, unreadable: (err as Error).message };
    }
  }
  return null;
}

/** Whether a route that selects `columns` carries a (flattened) field: the column or one it nests in. */
export function selectedBy(columns: ReadonlySet<string>, field: string): boolean {
  for (let i = field.indexOf('.'); i !== -1; i = field.indexOf('.', i + 1))
    if (columns.has(field.slice(0, i))) return true;
  return columns.has(field);
}

/** The names a table's contract file may have. */
export function contractNames(
  source: { id: string; topicPrefix?: string | undefined; database?: string | undefined },
  table: string,
): string[] {
  return [
    ...new Set([
      `${source.topicPrefix ?? source.id}.${table}`,
      `${source.database ?? source.id}.${table}`,
      table,
    ]),
  ];
}
