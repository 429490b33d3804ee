import { InvalidSchemaError } from '../schema-format.ts';
import { pointer } from './json-pointer.ts';

/**
 * A JSON document as written: object keys in order, numbers as their lexemes (Confluent reads numbers as
 * exact BigDecimals, so `1.0` and `1` are different schemas; `JSON.parse` would make them equal).
 * Parsing refuses nesting deeper than `MAX_NESTING` before anything recursive (validation, loading,
 * comparison) can run out of stack.
 */
export type JsonNode =
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, JsonNode> }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

/** Objects and arrays inside one another; deeper schemas are refused (42201), never a stack overflow. */
export const MAX_NESTING = 256;

const WHITESPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
/** JSON forbids raw control characters (U+0000 to U+001F) inside strings. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;

export function parseJsonText(text: string): JsonNode {
  const parser = new Parser(text);
  const node = parser.value();
  parser.end();
  return node;
}

class Parser {
  readonly #text: string;
  #at = 0;
  readonly #path: string[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  value(): JsonNode {
    this.#skip();
    const c = this.#text[this.#at];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"') return { kind: 'string', value: this.#string() };
    const number = this.#match(NUMBER);
    if (number !== undefined) return { kind: 'number', raw: number };
    const literal = this.#match(LITERAL);
    if (literal === 'null') return { kind: 'null' };
    if (literal !== undefined) return { kind: 'boolean', value: literal === 'true' };
    throw this.#error(c === undefined ? 'unexpected end of text' : `unexpected character '${c}'`);
  }

  end(): void {
    this.#skip();
    if (this.#at < this.#text.length) throw this.#error('unexpected text after the schema');
  }

  #object(): JsonNode {
    this.#enter();
    this.#at++;
    const entries = new Map<string, JsonNode>();
    this.#skip();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.#skip();
      if (this.#text[this.#at] !== '"') throw this.#error('expected a property name');
      const key = this.#string();
      this.#skip();
      if (this.#text[this.#at] !== ':') throw this.#error(`expected ':' after "${key}"`);
      this.#at++;
      this.#path.push(key);
      // A repeated key keeps its first position and its last value, as Jackson's ObjectNode does.
      entries.set(key, this.value());
      this.#path.pop();
      if (this.#separator('}')) return { kind: 'object', entries };
    }
  }

  #array(): JsonNode {
    this.#enter();
    this.#at++;
    const items: JsonNode[] = [];
    this.#skip();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return { kind: 'array', items };
    }
    for (;;) {
      this.#path.push(String(items.length));
      items.push(this.value());
      this.#path.pop();
      if (this.#separator(']')) return { kind: 'array', items };
    }
  }

  /** After a member: true at the closing bracket, false at a comma. */
  #separator(close: string): boolean {
    this.#skip();
    const c = this.#text[this.#at];
    this.#at++;
    if (c === close) return true;
    if (c === ',') return false;
    this.#at--;
    throw this.#error(`expected ',' or '${close}'`);
  }

  #enter(): void {
    if (this.#path.length >= MAX_NESTING) {
      throw new InvalidSchemaError(`the schema nests deeper than ${MAX_NESTING} levels`, pointer(this.#path));
    }
  }

  #string(): string {
    const start = this.#at;
    const raw = this.#match(STRING);
    if (raw === undefined || hasControlCharacter(raw)) {
      this.#at = start;
      throw this.#error('malformed string');
    }
    return JSON.parse(raw) as string;
  }

  #match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#at;
    const m = pattern.exec(this.#text);
    if (!m) return undefined;
    this.#at = pattern.lastIndex;
    return m[0];
  }

  #skip(): void {
    WHITESPACE.lastIndex = this.#at;
    WHITESPACE.exec(this.#text);
    this.#at = WHITESPACE.lastIndex;
  }

  #error(what: string): InvalidSchemaError {
    const before = this.#text.slice(0, this.#at);
    const line = before.split('\n').length;
    const column = this.#at - before.lastIndexOf('\n');
    return new InvalidSchemaError(
      `invalid JSON: ${what} at line ${line} column ${column}`,
      pointer(this.#path),
    );
  }
}

/** The plain value (numbers as doubles), for validation and loading. `__proto__` stays an ordinary key. */
export function toValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of node.entries) {
        Object.defineProperty(out, key, {
          value: toValue(child),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array':
      return node.items.map(toValue);
    case 'string':
    case 'boolean':
      return node.value;
    case 'number':
      return Number(node.raw);
    case 'null':
      return null;
  }
}
