import type { OptionElement, OptionMap, OptionValue } from './proto-ast.ts';
import type { TokenReader } from './token-reader.ts';

/**
 * Reads options (`option (a.b).c = 1;`, `[packed = true, (x) = { k: "v" }]`) and their values, including
 * text-format message literals. Like Wire, repeated keys in a literal collect into one list.
 */

const MAX_LITERAL_DEPTH = 32;

/** `[opt = v, ...]` after a field or enum value; empty when absent. */
export function readBracketedOptions(reader: TokenReader): OptionElement[] {
  if (!reader.acceptSymbol('[')) return [];
  const options: OptionElement[] = [];
  for (;;) {
    options.push(readOption(reader, '='));
    if (reader.acceptSymbol(']')) return options;
    reader.expectSymbol(',');
  }
}

export function readOption(reader: TokenReader, separator: '=' | ':', depth = 0): OptionElement {
  const parenthesized = reader.isSymbol('(');
  const extension = reader.isSymbol('[');
  let name: string;
  if (parenthesized || extension) {
    reader.next();
    name = reader.expectName('an option name', true);
    reader.expectSymbol(parenthesized ? ')' : ']');
    if (extension) name = `[${name}]`;
  } else {
    name = reader.expectName('an option name', true);
  }
  let subName: string | null = null;
  const after = reader.peek();
  if (parenthesized && after.kind === 'word' && after.text.startsWith('.')) {
    subName = reader.next().text.slice(1); // (foo).bar.baz
  }
  if (!(separator === ':' && reader.isSymbol('{'))) reader.expectSymbol(separator);
  let value = readValue(reader, depth);
  if (subName !== null) value = { kind: 'option', value: { name: subName, parenthesized: false, value } };
  return { name, parenthesized, value };
}

function readValue(reader: TokenReader, depth: number): OptionValue {
  if (depth > MAX_LITERAL_DEPTH)
    throw reader.unexpected(`option values nest deeper than ${MAX_LITERAL_DEPTH}`);
  const t = reader.peek();
  if (reader.isSymbol('{')) return { kind: 'map', value: readMap(reader, depth + 1) };
  if (reader.isSymbol('[')) return { kind: 'list', value: readList(reader, depth + 1) };
  if (t.kind === 'string') return { kind: 'string', value: reader.expectString() };
  if (reader.isSymbol('-')) {
    reader.next();
    return { kind: 'number', value: `-${reader.expectWord('a number')}` };
  }
  if (t.kind === 'word') {
    reader.next();
    if (/^\.?[0-9]/.test(t.text)) return { kind: 'number', value: t.text };
    if (t.text === 'true' || t.text === 'false') return { kind: 'boolean', value: t.text };
    return { kind: 'enum', value: t.text };
  }
  throw reader.unexpected('expected an option value');
}

function readMap(reader: TokenReader, depth: number): OptionMap {
  reader.expectSymbol('{');
  const result: OptionMap = new Map();
  while (!reader.acceptSymbol('}')) {
    const option = readOption(reader, ':', depth);
    if (option.value.kind === 'option') {
      const nested = option.value.value;
      const existing = result.get(option.name);
      const map: OptionMap = existing?.kind === 'map' ? existing.value : new Map<string, OptionValue>();
      map.set(nested.name, nested.value);
      result.set(option.name, { kind: 'map', value: map });
    } else {
      const previous = result.get(option.name);
      const added = option.value.kind === 'list' ? option.value.value : [option.value];
      if (previous === undefined) result.set(option.name, option.value);
      else if (previous.kind === 'list') previous.value.push(...added);
      else result.set(option.name, { kind: 'list', value: [previous, ...added] });
    }
    if (!reader.acceptSymbol(',')) reader.acceptSymbol(';');
  }
  return result;
}

function readList(reader: TokenReader, depth: number): OptionValue[] {
  reader.expectSymbol('[');
  const result: OptionValue[] = [];
  while (!reader.acceptSymbol(']')) {
    result.push(readValue(reader, depth));
    if (!reader.acceptSymbol(',') && !reader.isSymbol(']')) throw reader.unexpected("expected ',' or ']'");
  }
  return result;
}
