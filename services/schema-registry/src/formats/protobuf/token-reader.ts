import type { InvalidSchemaError } from '../schema-format.ts';
import type { SourcePosition } from './proto-ast.ts';
import { syntaxError, tokenize } from './proto-lexer.ts';
import type { Token } from './proto-lexer.ts';

/** Documentation from several comments (leading, trailing), blank parts dropped. */
export const joinDoc = (...parts: string[]) => parts.filter((p) => p.length > 0).join('\n');

/** A cursor over the tokens of one file, with the expectations the parsers share. */
export class TokenReader {
  readonly #tokens: Token[];
  #index = 0;

  constructor(text: string) {
    this.#tokens = tokenize(text);
  }

  peek(offset = 0): Token {
    return this.#tokens[Math.min(this.#index + offset, this.#tokens.length - 1)]!;
  }

  /** The token just consumed (for trailing documentation). */
  previous(): Token {
    return this.#tokens[Math.max(this.#index - 1, 0)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.#index++;
    return token;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  position(): SourcePosition {
    const t = this.peek();
    return { line: t.line, column: t.column };
  }

  isSymbol(symbol: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'symbol' && t.text === symbol;
  }

  /** Consumes `symbol` if it is next. */
  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.#index++;
    return true;
  }

  expectSymbol(symbol: string): Token {
    if (!this.isSymbol(symbol)) throw this.unexpected(`expected '${symbol}'`);
    return this.next();
  }

  isWord(word?: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && (word === undefined || t.text === word);
  }

  expectWord(what = 'a name'): string {
    const t = this.peek();
    if (t.kind !== 'word') throw this.unexpected(`expected ${what}`);
    this.#index++;
    return t.text;
  }

  /** An identifier: letters, digits and `_`, not starting with a digit; dots only when `dotted`. */
  expectName(what: string, dotted = false): string {
    const t = this.peek();
    const ok = dotted ? /^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/ : /^[A-Za-z_][A-Za-z0-9_]*$/;
    if (t.kind !== 'word' || !ok.test(t.text)) throw this.unexpected(`expected ${what}`);
    this.#index++;
    return t.text;
  }

  expectString(what = 'a quoted string'): string {
    const t = this.peek();
    if (t.kind !== 'string') throw this.unexpected(`expected ${what}`);
    this.#index++;
    let value = t.text;
    while (this.peek().kind === 'string') value += this.next().text; // "a" "b" is "ab"
    return value;
  }

  /** A field number or enum value: decimal, hex or octal, optionally negative. */
  expectInt(what = 'a number'): number {
    const negative = this.acceptSymbol('-');
    const t = this.peek();
    const text = t.kind === 'word' ? t.text : '';
    let n: number;
    if (/^0[xX][0-9A-Fa-f]+$/.test(text)) n = parseInt(text.slice(2), 16);
    else if (/^0[0-7]+$/.test(text)) n = parseInt(text.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(text)) n = Number(text);
    else throw this.unexpected(`expected ${what}`);
    this.#index++;
    const value = negative ? -n : n;
    if (!Number.isSafeInteger(value) || value > 2 ** 31 - 1 || value < -(2 ** 31)) {
      throw syntaxError(`${text} is out of range`, t.line, t.column);
    }
    return value;
  }

  unexpected(message: string): InvalidSchemaError {
    const t = this.peek();
    const found = t.kind === 'eof' ? 'end of input' : t.kind === 'string' ? 'a string' : `'${t.text}'`;
    return syntaxError(`${message}, found ${found}`, t.line, t.column);
  }
}
