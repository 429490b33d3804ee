import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contractFields } from '@data-spine/residency-gate';
import type { FieldInput } from '@data-spine/residency-gate';

export interface LocalContract {
  fields: FieldInput[];
  classification: string | null;
  file: string;
}

/**
 * The contract of a table from a directory of `.avsc` files (schema/contracts names them
 * `<topic prefix>.<schema>.<table>.avsc`), trying each name in turn; null when none exists.
 */
export async function localContract(dir: string, names: readonly string[]): Promise<LocalContract | null> {
  for (const name of names) {
    const file = join(dir, `${name}.avsc`);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    const c = contractFields(name, { schema: text, schemaType: 'AVRO' });
    return { fields: c.fields, classification: c.classification, file };
  }
  return null;
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
