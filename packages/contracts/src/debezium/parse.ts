import type { ConnectSchema } from './connect-json.ts';
import { ConnectJsonWrapper, isConnectJsonWrapper } from './connect-json.ts';
import { ChangeEvent } from './change-event.ts';
import { PK_CHANGE_HEADERS } from './markers.ts';
import type { Parsed } from '../validation.ts';
import { parseWith } from '../validation.ts';

export type RecordHeaders = ReadonlyMap<string, string | Buffer> | Readonly<Record<string, string | Buffer>>;

/** What a Kafka record of a Debezium table topic holds, after strict parsing. */
export type ChangeRecord =
  | { kind: 'tombstone' }
  | {
      kind: 'change';
      event: ChangeEvent;
      /** The Connect schema when the JsonConverter wrapped the payload (`schemas.enable=true`). */
      schema: ConnectSchema | null;
      /** Set on the delete (`old-key`) and create (`new-key`) that Debezium emits for a primary-key update. */
      keyChange: 'old-key' | 'new-key' | null;
    };

function header(headers: RecordHeaders | undefined, name: string): boolean {
  if (!headers) return false;
  if (headers instanceof Map) return headers.has(name);
  return Object.hasOwn(headers, name);
}

function decodeJson(value: Buffer | string): Parsed<unknown> {
  const text = typeof value === 'string' ? value : value.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, issues: [{ pointer: '', rule: 'json', message: (err as Error).message }] };
  }
}

/**
 * Parses the value of a record from a Debezium PostgreSQL table topic: raw bytes, a string or an already
 * decoded object; with or without the JsonConverter wrapper; `null` (or empty bytes) is a tombstone.
 */
export function parseChangeRecord(
  value: Buffer | string | object | null | undefined,
  headers?: RecordHeaders,
): Parsed<ChangeRecord> {
  if (value === null || value === undefined || (Buffer.isBuffer(value) && value.length === 0)) {
    return { ok: true, value: { kind: 'tombstone' } };
  }
  let decoded: unknown = value;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const json = decodeJson(value);
    if (!json.ok) return json;
    decoded = json.value;
  }
  if (decoded === null) return { ok: true, value: { kind: 'tombstone' } };

  let schema: ConnectSchema | null = null;
  let payload: unknown = decoded;
  let prefix = '';
  if (isConnectJsonWrapper(decoded)) {
    const wrapper = parseWith(ConnectJsonWrapper, decoded);
    if (!wrapper.ok) return wrapper;
    schema = wrapper.value.schema;
    payload = wrapper.value.payload;
    prefix = '/payload';
    if (payload === null) return { ok: true, value: { kind: 'tombstone' } };
  }
  const event = parseWith(ChangeEvent, payload);
  if (!event.ok) {
    return { ok: false, issues: event.issues.map((i) => ({ ...i, pointer: prefix + i.pointer })) };
  }
  const keyChange = header(headers, PK_CHANGE_HEADERS.newKey)
    ? 'old-key'
    : header(headers, PK_CHANGE_HEADERS.oldKey)
      ? 'new-key'
      : null;
  return { ok: true, value: { kind: 'change', event: event.value, schema, keyChange } };
}

/** Parses a record key (`{id: ...}` or its wrapper) into the primary-key columns. */
export function parseChangeKey(
  value: Buffer | string | object | null | undefined,
): Parsed<Record<string, unknown> | null> {
  if (value === null || value === undefined) return { ok: true, value: null };
  let decoded: unknown = value;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const json = decodeJson(value);
    if (!json.ok) return json;
    decoded = json.value;
  }
  if (isConnectJsonWrapper(decoded)) decoded = decoded.payload;
  if (decoded === null) return { ok: true, value: null };
  if (typeof decoded !== 'object' || Array.isArray(decoded)) {
    return {
      ok: false,
      issues: [{ pointer: '', rule: 'invalid_type', message: 'a record key must be a JSON object' }],
    };
  }
  return { ok: true, value: decoded as Record<string, unknown> };
}
