import type { EnumConstantElement, EnumElement } from './proto-ast.ts';
import { syntaxError } from './proto-lexer.ts';
import { readBracketedOptions, readOption } from './option-reader.ts';
import { readReserved } from './range-reader.ts';
import { joinDoc } from './token-reader.ts';
import type { TokenReader } from './token-reader.ts';

/** `enum Name { ... }`, after the `enum` keyword. */

export function readEnum(r: TokenReader, doc: string): EnumElement {
  const position = r.position();
  const element: EnumElement = {
    kind: 'enum',
    name: r.expectName('an enum name'),
    constants: [],
    options: [],
    reserveds: [],
    doc,
    position,
  };
  r.expectSymbol('{');
  while (!r.acceptSymbol('}')) {
    if (r.acceptSymbol(';')) continue;
    const start = r.peek();
    const word = r.expectWord('an enum value');
    if (word === 'option') {
      element.options.push(readOption(r, '='));
      r.expectSymbol(';');
    } else if (word === 'reserved') {
      element.reserveds.push(readReserved(r));
    } else {
      element.constants.push(readEnumConstant(r, word, start));
    }
  }
  return element;
}

function readEnumConstant(
  r: TokenReader,
  name: string,
  start: { line: number; column: number; docBefore: string },
): EnumConstantElement {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw syntaxError(`'${name}' is not a valid enum value name`, start.line, start.column);
  r.expectSymbol('=');
  const tag = r.expectInt('an enum value number');
  const options = readBracketedOptions(r);
  r.expectSymbol(';');
  return {
    name,
    tag,
    options,
    doc: joinDoc(start.docBefore, r.previous().docAfter),
    position: { line: start.line, column: start.column },
  };
}
