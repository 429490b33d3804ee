import type { Lsn } from './types.ts';

/** `16/B374D848` -> 0x16B374D848n. */
export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match) throw new RangeError(`not an LSN: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** 0x16B374D848n -> `16/B374D848` (Postgres' own spelling). */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Debezium writes LSNs as JSON numbers (int64); below 2^53 for any real cluster. */
export function lsnNumber(lsn: Lsn): number {
  return Number(lsn);
}
