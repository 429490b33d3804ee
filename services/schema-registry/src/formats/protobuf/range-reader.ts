import { MAX_TAG_VALUE } from './proto-ast.ts';
import type { ExtensionsElement, ReservedElement, ReservedValue } from './proto-ast.ts';
import { readBracketedOptions } from './option-reader.ts';
import type { TokenReader } from './token-reader.ts';

/** `reserved 2, 9 to 11, "name";` and `extensions 100 to max;`, after their keyword. */

export function readReserved(r: TokenReader): ReservedElement {
  const position = r.previous();
  const values: ReservedValue[] = [];
  do {
    if (r.peek().kind === 'string') values.push({ kind: 'name', value: r.expectString() });
    else values.push(readTagOrRange(r));
  } while (r.acceptSymbol(','));
  r.expectSymbol(';');
  return { values, position: { line: position.line, column: position.column } };
}

function readTagOrRange(r: TokenReader): Extract<ReservedValue, { kind: 'tag' | 'range' }> {
  const start = r.expectInt('a number or a quoted name');
  if (!r.isWord('to')) return { kind: 'tag', value: start };
  r.next();
  const end = r.isWord('max') ? (r.next(), MAX_TAG_VALUE) : r.expectInt("a number or 'max'");
  return { kind: 'range', start, end };
}

export function readExtensions(r: TokenReader): ExtensionsElement {
  const position = r.previous();
  const values: ExtensionsElement['values'] = [];
  do values.push(readTagOrRange(r));
  while (r.acceptSymbol(','));
  const options = readBracketedOptions(r);
  r.expectSymbol(';');
  return { values, options, position: { line: position.line, column: position.column } };
}
