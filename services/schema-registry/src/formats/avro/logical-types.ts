import type { LogicalType, Props } from './avro-model.ts';
import { numberClass } from './json-reader.ts';

/**
 * Java's `LogicalTypes.fromSchemaIgnoreInvalid`: the `logicalType` attribute names a logical type only when
 * it is one Avro knows and it fits its base type; otherwise it stays an ordinary attribute and the schema is
 * still valid (the spec: "implementations must ignore unknown logical types").
 */
const ON_BASE: Readonly<Record<string, readonly string[]>> = {
  date: ['int'],
  'time-millis': ['int'],
  'time-micros': ['long'],
  'timestamp-millis': ['long'],
  'timestamp-micros': ['long'],
  'timestamp-nanos': ['long'],
  'local-timestamp-millis': ['long'],
  'local-timestamp-micros': ['long'],
  'local-timestamp-nanos': ['long'],
  'big-decimal': ['bytes'],
  uuid: ['string', 'fixed'],
  duration: ['fixed'],
  decimal: ['bytes', 'fixed'],
};

const INT_MAX = 2 ** 31 - 1;

/** Java's `Decimal.maxPrecision`: the most decimal digits `size` bytes of two's complement hold. */
function maxPrecision(base: string, size: number | undefined): number {
  if (base !== 'fixed' || size === undefined) return INT_MAX;
  const digits = Math.floor(Math.log10(2 ** (8 * size - 1) - 1));
  if (Number.isNaN(digits)) return 0;
  return Math.min(digits, INT_MAX);
}

/** An attribute Java reads as an `Integer` (an integral JSON number in int range). */
function intProp(props: Props, key: string): number | undefined | null {
  const node = props.get(key);
  if (node === undefined) return undefined;
  if (node.kind !== 'number' || numberClass(node.raw) !== 'int') return null;
  return Number(node.raw);
}

export function logicalTypeOf(base: string, props: Props, size?: number): LogicalType | undefined {
  const node = props.get('logicalType');
  if (node?.kind !== 'string') return undefined;
  const name = node.value;
  const bases = ON_BASE[name];
  if (!bases?.includes(base)) return undefined;
  if (name === 'uuid' && base === 'fixed' && size !== 16) return undefined;
  if (name === 'duration' && size !== 12) return undefined;
  if (name !== 'decimal') return { name };
  const precision = intProp(props, 'precision');
  const scale = intProp(props, 'scale') ?? 0;
  if (precision === undefined || precision === null || scale === null) return undefined;
  if (precision <= 0 || precision > maxPrecision(base, size)) return undefined;
  if (scale < 0 || scale > precision) return undefined;
  return { name, precision, scale };
}
