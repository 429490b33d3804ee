import type { ConnectSchema } from '@data-spine/contracts';

const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const VARIABLE_DECIMAL = 'io.debezium.data.VariableScaleDecimal';

/** A big-endian two's complement integer (Connect's Decimal bytes) scaled by 10^-scale, as exact text. */
export function decimalText(bytes: Buffer, scale: number): string {
  if (bytes.length === 0) return '0';
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if ((bytes[0] as number) & 0x80) n -= 1n << BigInt(bytes.length * 8);
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = scale > 0 ? digits.slice(0, -scale) : digits;
  const frac = scale > 0 ? `.${digits.slice(-scale)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/**
 * With `decimal.handling.mode=precise` and the JsonConverter's schemas, decimals arrive as base64 bytes
 * (or, for unconstrained numerics, `{scale, value}`). Returns the row with those columns as exact decimal
 * strings; other columns untouched. `string` mode needs nothing (the value already is the text).
 */
export function decodeDecimals(
  row: Readonly<Record<string, unknown>>,
  rowSchema: ConnectSchema | undefined,
): Record<string, unknown> {
  // Nothing to decode: the row as it is (planning never mutates a row image; governing builds new rows).
  if (!rowSchema?.fields) return row;
  const out: Record<string, unknown> = { ...row };
  for (const f of rowSchema.fields) {
    if (!f.field) continue;
    const v = out[f.field];
    if (f.name === DECIMAL && typeof v === 'string') {
      out[f.field] = decimalText(Buffer.from(v, 'base64'), Number(f.parameters?.scale ?? 0));
    } else if (f.name === VARIABLE_DECIMAL && v && typeof v === 'object') {
      const { scale, value } = v as { scale?: unknown; value?: unknown };
      if (typeof scale === 'number' && typeof value === 'string')
        out[f.field] = decimalText(Buffer.from(value, 'base64'), scale);
    }
  }
  return out;
}

/** The `before`/`after` struct schemas of an envelope schema. */
export function rowSchemaOf(
  envelope: ConnectSchema | null,
  side: 'before' | 'after',
): ConnectSchema | undefined {
  return envelope?.fields?.find((f) => f.field === side);
}
