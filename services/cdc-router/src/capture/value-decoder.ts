import { createHash } from 'node:crypto';
import { TOAST_PLACEHOLDER } from '@data-spine/contracts';
import { parseArrayText } from './pg-array.ts';
import type { ArrayText } from './pg-array.ts';

/**
 * Turns a column's text (as pgoutput and a text-format SELECT send it, with the session's
 * `TimeZone=UTC`, `DateStyle=ISO`, `IntervalStyle=iso_8601`, `extra_float_digits=3`, `bytea_output=hex`)
 * into the JSON value Debezium's PostgreSQL connector writes with its defaults and
 * `decimal.handling.mode=string`: `time.precision.mode=adaptive`, `binary.handling.mode=bytes` (base64 in
 * JSON), `interval.handling.mode=numeric`, json and uuid as strings.
 */
export type ValueDecoder = (text: string) => unknown;

/** Type OIDs of the built-in types (pg_type.dat). */
export const Oid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  xml: 142,
  float4: 700,
  float8: 701,
  money: 790,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  bit: 1560,
  varbit: 1562,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** Array type OID -> element type OID, for the built-in types above. */
const ARRAY_ELEMENTS: Readonly<Record<number, number>> = {
  1000: Oid.bool,
  1001: Oid.bytea,
  1002: Oid.char,
  1003: Oid.name,
  1005: Oid.int2,
  1007: Oid.int4,
  1016: Oid.int8,
  1009: Oid.text,
  1028: Oid.oid,
  199: Oid.json,
  143: Oid.xml,
  1021: Oid.float4,
  1022: Oid.float8,
  791: Oid.money,
  1014: Oid.bpchar,
  1015: Oid.varchar,
  1182: Oid.date,
  1183: Oid.time,
  1115: Oid.timestamp,
  1185: Oid.timestamptz,
  1187: Oid.interval,
  1270: Oid.timetz,
  1561: Oid.bit,
  1563: Oid.varbit,
  1231: Oid.numeric,
  2951: Oid.uuid,
  3807: Oid.jsonb,
};

/** What the catalog says about a type the capture has no built-in decoder for (domains, enums, arrays). */
export interface TypeInfo {
  /** pg_type.typtype: b base, d domain, e enum, c composite, r range, m multirange. */
  type: string;
  /** For a domain: its base type; 0 otherwise. */
  baseOid: number;
  /** For an array type: its element type; 0 otherwise. */
  elementOid: number;
  name: string;
}
export type TypeCatalog = ReadonlyMap<number, TypeInfo>;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD[ BC]` -> days since 1970-01-01 (io.debezium.time.Date). */
export function dateToEpochDays(text: string): number {
  const m = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/.exec(text);
  if (!m) throw new RangeError(`not an ISO date: ${text}`);
  const year = m[4] ? 1 - Number(m[1]) : Number(m[1]);
  const d = new Date(0);
  d.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  return Math.floor(d.getTime() / DAY_MS);
}

/** Fractional seconds text (`123`, `5`) -> microseconds. */
function fractionMicros(frac: string | undefined): number {
  if (!frac) return 0;
  return Number(frac.padEnd(6, '0').slice(0, 6));
}

/** `HH:MM:SS[.ffffff]` -> microseconds since midnight. */
export function timeToMicros(text: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a time: ${text}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + fractionMicros(m[4]);
}

interface Instant {
  /** Milliseconds since the epoch (whole). */
  epochMs: number;
  /** Microseconds within the millisecond. */
  micros: number;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]][ BC]` -> an instant (offset applied when present). */
function parseTimestamp(text: string): Instant {
  const m =
    /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/.exec(
      text,
    );
  if (!m) throw new RangeError(`not an ISO timestamp: ${text}`);
  const year = m[12] ? 1 - Number(m[1]) : Number(m[1]);
  const d = new Date(0);
  d.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  let ms = d.getTime();
  if (m[8]) {
    const offset = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000;
    ms -= m[8] === '+' ? offset : -offset;
  }
  const us = fractionMicros(m[7]);
  return { epochMs: ms + Math.floor(us / 1000), micros: us % 1000 };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00`, what a UTC session prints for every timestamptz of years 1000..9999. */
const UTC_TIMESTAMPTZ = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.(\d{1,6}))?\+00$/;

/** io.debezium.time.ZonedTimestamp: ISO-8601 in UTC with as many fraction digits as the column's precision. */
function zonedTimestamp(text: string, precision: number): string {
  const fast = UTC_TIMESTAMPTZ.exec(text);
  if (fast) {
    // The common case needs no date arithmetic: the session's time zone is UTC already.
    const base = `${text.slice(0, 10)}T${text.slice(11, 19)}`;
    if (precision <= 0) return `${base}Z`;
    return `${base}.${(fast[1] ?? '').padEnd(precision, '0').slice(0, precision)}Z`;
  }
  const { epochMs, micros } = parseTimestamp(text);
  const d = new Date(epochMs);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : (y < 0 ? '-' : '+') + pad(Math.abs(y), 6);
  const base = `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(
    d.getUTCMinutes(),
    2,
  )}:${pad(d.getUTCSeconds(), 2)}`;
  if (precision <= 0) return `${base}Z`;
  const fraction = `${pad(d.getUTCMilliseconds(), 3)}${pad(micros, 3)}`.slice(0, precision);
  return `${base}.${fraction}Z`;
}

/** io.debezium.time.ZonedTime: `HH:mm:ss[.f...]Z` (no trailing zeros), normalised to UTC. */
function zonedTime(text: string): string {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/.exec(text);
  if (!m) throw new RangeError(`not a time with time zone: ${text}`);
  const offset = (Number(m[6]) * 3600 + Number(m[7] ?? 0) * 60 + Number(m[8] ?? 0)) * (m[5] === '+' ? 1 : -1);
  let secs = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) - offset;
  secs = ((secs % 86_400) + 86_400) % 86_400;
  const us = fractionMicros(m[4]);
  const base = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
  if (us === 0) return `${base}Z`;
  return `${base}.${pad(us, 6).replace(/0+$/, '')}Z`;
}

/**
 * io.debezium.time.MicroDuration from an ISO-8601 interval (`P1Y2M3DT4H5M6.5S`, parts may be negative):
 * months count as 365.25 / 12 days, as Debezium does.
 */
export function intervalToMicros(text: string): number {
  const m =
    /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (!m) throw new RangeError(`not an ISO-8601 interval: ${text}`);
  const n = (s: string | undefined) => (s ? Number(s) : 0);
  const days = (n(m[1]) * 12 + n(m[2])) * (365.25 / 12) + n(m[3]);
  const seconds = ((days * 24 + n(m[4])) * 60 + n(m[5])) * 60;
  return Math.round(seconds * 1_000_000 + n(m[6]) * 1_000_000);
}

function byteaToBase64(text: string): string {
  if (!text.startsWith('\\x')) throw new RangeError('bytea must be in hex output');
  return Buffer.from(text.slice(2), 'hex').toString('base64');
}

/** io.debezium.data.Bits: the bit string as a little-endian byte array (base64 in JSON). */
function bitsToBase64(text: string): string {
  const bytes = Buffer.alloc(Math.ceil(text.length / 8));
  for (let i = 0; i < text.length; i++) {
    if (text[text.length - 1 - i] === '1') bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
  }
  return bytes.toString('base64');
}

function float(text: string): number | string {
  const v = Number(text);
  // JSON has no NaN/Infinity; Jackson writes them as strings.
  return Number.isFinite(v) ? v : text === 'NaN' ? 'NaN' : text.startsWith('-') ? '-Infinity' : 'Infinity';
}

/** Precision (fraction digits) of a time or timestamp column from its typmod: -1 means 6. */
function timePrecision(typeMod: number): number {
  return typeMod < 0 ? 6 : typeMod;
}

const identity: ValueDecoder = (t) => t;

/** The decoder of one column, chosen once per relation. Unknown types decode as their text. */
export function valueDecoder(typeOid: number, typeMod: number, catalog?: TypeCatalog): ValueDecoder {
  switch (typeOid) {
    case Oid.bool:
      return (t) => t === 't';
    case Oid.int2:
    case Oid.int4:
    case Oid.int8:
    case Oid.oid:
      return Number;
    case Oid.float4:
    case Oid.float8:
      return float;
    case Oid.numeric:
      return identity;
    case Oid.money:
      return (t) => t.replace(/[^0-9.-]/g, '').replace(/^(-?)\.?/, '$1') || '0';
    case Oid.bytea:
      return byteaToBase64;
    case Oid.date:
      return dateToEpochDays;
    case Oid.time: {
      const p = timePrecision(typeMod);
      // adaptive: precision <= 3 is io.debezium.time.Time (ms), else MicroTime (µs).
      return p <= 3 ? (t) => Math.floor(timeToMicros(t) / 1000) : timeToMicros;
    }
    case Oid.timetz:
      return zonedTime;
    case Oid.timestamp: {
      const p = timePrecision(typeMod);
      if (p <= 3) return (t) => parseTimestamp(t).epochMs;
      return (t) => {
        const { epochMs, micros } = parseTimestamp(t);
        return epochMs * 1000 + micros;
      };
    }
    case Oid.timestamptz: {
      const p = timePrecision(typeMod);
      return (t) => zonedTimestamp(t, p);
    }
    case Oid.interval:
      return intervalToMicros;
    case Oid.bit:
      // bit(1) is a BOOLEAN in Debezium; wider bit strings are io.debezium.data.Bits.
      return typeMod === 1 ? (t) => t === '1' : bitsToBase64;
    case Oid.varbit:
      return bitsToBase64;
    default:
      break;
  }
  const element = ARRAY_ELEMENTS[typeOid];
  if (element !== undefined) return arrayDecoder(valueDecoder(element, -1, catalog));
  const info = catalog?.get(typeOid);
  if (info?.type === 'd' && info.baseOid) return valueDecoder(info.baseOid, typeMod, catalog);
  if (info?.elementOid && info.name.startsWith('_'))
    return arrayDecoder(valueDecoder(info.elementOid, -1, catalog));
  // text, varchar, bpchar, name, char, uuid, json, jsonb, xml, inet, cidr, macaddr, enums, ranges, ...
  return identity;
}

function arrayDecoder(element: ValueDecoder): ValueDecoder {
  const walk = (items: ArrayText): unknown[] =>
    items.map((v) => (v === null ? null : Array.isArray(v) ? walk(v) : element(v)));
  return (t) => walk(parseArrayText(t));
}

/** The value Debezium writes for a TOASTed column pgoutput did not send (`unavailable.value.placeholder`). */
export function unavailableValue(typeOid: number, catalog?: TypeCatalog): unknown {
  if (typeOid === Oid.bytea) return UNAVAILABLE_BYTES;
  if (ARRAY_ELEMENTS[typeOid] !== undefined || catalog?.get(typeOid)?.name.startsWith('_'))
    return [TOAST_PLACEHOLDER];
  return TOAST_PLACEHOLDER;
}

/**
 * True for every form of the TOAST placeholder: the ones `unavailableValue` produces and the ones Debezium's
 * PostgreSQL connector writes (`UnchangedToastedPlaceholder`): the string; bytea as the string's bytes
 * (base64 in JSON); text, varchar, char and json arrays as a one-element array of the string; bytea arrays
 * as one element of its bytes; int, bigint and date arrays as the string's bytes, one number each; uuid
 * arrays as one name-based (v3) UUID of the bytes; hstore as `{placeholder: placeholder}` (a map, or JSON
 * text in `hstore.handling.mode=json`). The sinks must never write one as a value, nor hash it.
 *
 * No column type is needed, so records from Kafka (where the router sees JSON, not Postgres types) are
 * recognised too; the price is that a genuine value equal to one of these forms is taken as unavailable
 * (the sink keeps what it has), as with Debezium's own placeholder string.
 */
export function isUnavailableValue(value: unknown): boolean {
  if (typeof value === 'string')
    return value === TOAST_PLACEHOLDER || value === UNAVAILABLE_BYTES || value === UNAVAILABLE_HSTORE_JSON;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (value.length === 1) {
      const only: unknown = value[0];
      return only === TOAST_PLACEHOLDER || only === UNAVAILABLE_BYTES || only === UNAVAILABLE_UUID;
    }
    return value.length === UNAVAILABLE_CODES.length && value.every((v, i) => v === UNAVAILABLE_CODES[i]);
  }
  const map = value as Record<string, unknown>;
  if (!Object.hasOwn(map, TOAST_PLACEHOLDER) || map[TOAST_PLACEHOLDER] !== TOAST_PLACEHOLDER) return false;
  for (const k in map) if (k !== TOAST_PLACEHOLDER) return false;
  return true;
}

const PLACEHOLDER_BYTES = Buffer.from(TOAST_PLACEHOLDER);
const UNAVAILABLE_BYTES = PLACEHOLDER_BYTES.toString('base64');
const UNAVAILABLE_CODES: readonly number[] = [...PLACEHOLDER_BYTES];
const UNAVAILABLE_HSTORE_JSON = JSON.stringify({ [TOAST_PLACEHOLDER]: TOAST_PLACEHOLDER });
/** Java's `UUID.nameUUIDFromBytes`: MD5 of the bytes with the version (3) and variant bits set. */
const UNAVAILABLE_UUID = (() => {
  const md5 = createHash('md5').update(PLACEHOLDER_BYTES).digest();
  md5[6] = ((md5[6] as number) & 0x0f) | 0x30;
  md5[8] = ((md5[8] as number) & 0x3f) | 0x80;
  const hex = md5.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
})();
