/** Quotes a Postgres identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` to `"schema"."table"`. */
export function qualified(table: string): string {
  const dot = table.indexOf('.');
  return dot < 0 ? ident(table) : `${ident(table.slice(0, dot))}.${ident(table.slice(dot + 1))}`;
}

/** A value as the text Postgres parses into the column's type (arrays of text are cast per column). */
export function asPgText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * A Postgres array literal of text elements (`{"a","b\\"c",NULL}`), sent as one parameter and cast by the
 * statement (`$1::text[]`). Built here rather than by the driver, which escapes every element with two
 * regular-expression replaces.
 */
export function pgTextArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (NEEDS_ESCAPE.test(v)) out += `"${v.replace(/[\\"]/g, '\\$&')}"`;
    else out += `"${v}"`;
  }
  return `${out}}`;
}

/** The key's identity in the tombstone table: its values as text, in column order. */
export function keyText(key: Readonly<Record<string, unknown>>, columns: readonly string[]): string {
  return JSON.stringify(columns.map((c) => asPgText(key[c])));
}

/** SQLSTATEs that mean "this row's data", not "the sink is down": the row is dead-lettered, not retried. */
export function isDataError(code: unknown): boolean {
  if (typeof code !== 'string') return false;
  return code.startsWith('22') || code === '23502' || code === '23514' || code === '42804';
}
