/** Debezium writes this in place of an unchanged TOASTed column it could not read. Never a real value. */
export const TOAST_PLACEHOLDER = '__debezium_unavailable_value';

/** Headers Debezium adds when an update changes the primary key (a delete on the old key, a create on the new). */
export const PK_CHANGE_HEADERS = {
  newKey: '__debezium.newkey',
  oldKey: '__debezium.oldkey',
} as const;

/** Replaces TOAST placeholders by `undefined`-free absence: returns the columns that carry real values. */
export function columnsWithValues(row: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(row).filter((k) => row[k] !== TOAST_PLACEHOLDER);
}
