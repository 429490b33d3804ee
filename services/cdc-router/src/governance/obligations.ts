import { createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isUnavailableValue } from '../capture/index.ts';
import type { ReasonCode } from '../errors.ts';
import type { Decision } from './gate-client.ts';

export const MASK = '****';

/** A row after its decision: the values to write, or why the row may not travel. */
export type Governed =
  | {
      ok: true;
      row: Record<string, unknown>;
      /** Columns left out because their value was not in the change (a TOAST placeholder, in any form). */
      unavailable: string[];
    }
  | { ok: false; reason: ReasonCode; field: string; message: string };

export interface FieldPlan {
  verdicts: ReadonlyMap<string, Decision['fields'][number]['verdict']>;
  /** Columns the route carries (undefined: all). Key columns always travel. */
  selected?: ReadonlySet<string>;
  keyColumns: ReadonlySet<string>;
  hashKey: Buffer;
}

const keyObjects = new WeakMap<Buffer, KeyObject>();

/** HMAC-SHA256 of the value's text, hex. The key is imported once (importing it per call costs more than the hash). */
export function keyedHash(key: Buffer, value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  let k = keyObjects.get(key);
  if (!k) {
    k = createSecretKey(key);
    keyObjects.set(key, k);
  }
  return createHmac('sha256', k).update(text).digest('hex');
}

/**
 * Applies a decision to one row image: columns the route does not select go; TOAST placeholders go, in
 * every form (`isUnavailableValue`: string, bytea, arrays), before any obligation, so a placeholder is
 * never written, masked or hashed and the sink keeps what it has; every other column needs a verdict:
 * allow, mask, hash (HMAC-SHA256 with the router's key) or drop; a denied or undecided column refuses the
 * row. Key columns are always in the change (they are the replica identity), so theirs are values.
 */
export function governRow(row: Readonly<Record<string, unknown>>, plan: FieldPlan): Governed {
  const out: Record<string, unknown> = {};
  const unavailable: string[] = [];
  for (const column in row) {
    if (!Object.hasOwn(row, column)) continue;
    const value = row[column];
    if (plan.selected && !plan.selected.has(column) && !plan.keyColumns.has(column)) continue;
    if (isUnavailableValue(value) && !plan.keyColumns.has(column)) {
      unavailable.push(column);
      continue;
    }
    const verdict = plan.verdicts.get(column);
    switch (verdict) {
      case undefined:
        return {
          ok: false,
          reason: 'CDC_FIELD_UNDECIDED',
          field: column,
          message: `the decision has no verdict for column ${column}`,
        };
      // A denied field of an allowed route does not travel (the route's own deny refuses the whole row).
      case 'deny':
      case 'drop':
        if (plan.keyColumns.has(column))
          return {
            ok: false,
            reason: 'CDC_FIELD_DENIED',
            field: column,
            message: `key column ${column} would be dropped; the row cannot be keyed`,
          };
        continue;
      case 'allow':
        out[column] = value;
        continue;
      case 'mask':
        if (plan.keyColumns.has(column))
          return {
            ok: false,
            reason: 'CDC_FIELD_DENIED',
            field: column,
            message: `key column ${column} would be masked; the row cannot be keyed`,
          };
        out[column] = value === null ? null : typeof value === 'string' ? MASK : null;
        continue;
      case 'hash':
        out[column] = value === null ? null : keyedHash(plan.hashKey, value);
        continue;
      default: {
        const never: never = verdict;
        throw new Error(`unknown verdict ${String(never)}`);
      }
    }
  }
  return { ok: true, row: out, unavailable };
}
