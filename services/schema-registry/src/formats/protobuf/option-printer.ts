import type { OptionElement, OptionMap, OptionValue } from './proto-ast.ts';

/**
 * Prints options and their values as Confluent's `ProtobufSchemaUtils` does (its canonical text is what
 * identifies a schema). With `normalize`, numbers are reformatted, literal keys sorted, `[ext]` keys
 * qualified, empty lists dropped and one-element lists unwrapped.
 */

export interface OptionStyle {
  normalize: boolean;
  /** Full name of an extension field referred to from the current scope, or null. */
  resolveExtension: (name: string) => string | null;
}

export function indent(value: string): string {
  const lines = value.split('\n');
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.map((line) => `  ${line}\n`).join('');
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
};

export function escapeChars(input: string): string {
  let out = '';
  for (const c of input) out += ESCAPES[c] ?? c;
  return out;
}

/** `name = value` (or `(name).sub = value`) without `option` and `;`. */
export function formatOption(option: OptionElement, style: OptionStyle): string {
  const name = option.parenthesized ? `(${option.name})` : option.name;
  const value = option.value;
  switch (value.kind) {
    case 'string':
      return `${name} = "${escapeChars(value.value)}"`;
    case 'boolean':
    case 'enum':
      return `${name} = ${value.value}`;
    case 'number':
      return `${name} = ${formatNumber(value.value, style.normalize)}`;
    case 'option':
      return `${name}.${formatOption(value.value, style)}`;
    case 'map':
      return `${name} = {\n${formatMap(value.value, style)}}`;
    case 'list':
      return `${name} = ${bracketed(value.value, style)}`;
  }
}

/** `[a]` for one item, else one item per line. */
export function bracketed(values: readonly OptionValue[], style: OptionStyle): string {
  if (values.length === 1) return `[${formatValue(values[0]!, style)}]`;
  const lines = values
    .map((v, i) => indent(formatValue(v, style) + (i < values.length - 1 ? ',' : '')))
    .join('');
  return `[\n${lines}]`;
}

export function formatValue(value: OptionValue, style: OptionStyle): string {
  switch (value.kind) {
    case 'string':
      return `"${escapeChars(value.value)}"`;
    case 'boolean':
    case 'enum':
      return value.value;
    case 'number':
      return formatNumber(value.value, style.normalize);
    case 'map':
      return `{\n${formatMap(value.value, style)}}`;
    case 'option':
      return formatOption(value.value, style);
    case 'list': {
      if (style.normalize && value.value.length === 1) return formatValue(value.value[0]!, style);
      const items = value.value;
      return `[\n${items.map((v, i) => indent(formatValue(v, style) + (i < items.length - 1 ? ',' : ''))).join('')}]`;
    }
  }
}

function formatMap(map: OptionMap, style: OptionStyle): string {
  let entries = [...map.entries()];
  if (style.normalize) {
    const byKey = new Map<string, OptionValue>();
    for (const [key, value] of entries) {
      if (value.kind === 'list' && value.value.length === 0) continue;
      let k = key;
      if (key.startsWith('[') && key.endsWith(']')) {
        const resolved = style.resolveExtension(key.slice(1, -1));
        if (resolved !== null) k = `[${resolved}]`;
      }
      if (!byKey.has(k)) byKey.set(k, value);
    }
    entries = [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b));
  }
  return entries
    .map(([key, value], i) =>
      indent(`${key}: ${formatValue(value, style)}${i < entries.length - 1 ? ',' : ''}`),
    )
    .join('');
}

/** Java's `String.compareTo` order (UTF-16 code units), which Confluent sorts by. */
export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Without normalize, the number as written. With it, Java's `DecimalFormat` defaults as Confluent uses
 * them: no grouping, at most three fraction digits rounded half-even, no exponent (`1.0f` is `1`,
 * `-2.0` is `-2`, `0x10` is `16`); text that is not a number (`inf`, `nan`) stays as written.
 */
export function formatNumber(text: string, normalize: boolean): string {
  if (!normalize) return text;
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const sign = negative ? '-' : '';
  const integer = (n: bigint) => (negative ? -n : n).toString();
  if (/^0[xX][0-9A-Fa-f]+[lL]?$/.test(body)) return integer(BigInt(body.replace(/[lL]$/, '')));
  const plain = body.replace(/[fFdDlL]$/, '');
  if (/^[0-9]+$/.test(plain)) return integer(BigInt(plain));
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(plain)) return text;
  const x = Number(plain);
  if (!Number.isFinite(x)) return text;
  if (x >= 1e21) return sign + BigInt(x).toString();
  let fixed = x.toFixed(3);
  const exact = x.toFixed(20);
  if (/^\d+\.\d{3}50*$/.test(exact)) {
    // An exact tie: DecimalFormat rounds half-even where toFixed rounds half-up.
    const truncated = exact.slice(0, exact.indexOf('.') + 4);
    const lastDigit = Number(truncated.at(-1));
    fixed = lastDigit % 2 === 0 ? truncated : x.toFixed(3);
  }
  const trimmed = fixed.replace(/\.?0+$/, '');
  return sign + (trimmed === '' ? '0' : trimmed);
}
