import { InvalidSchemaError } from '../schema-format.ts';

/**
 * A JSON document as Avro's Java parser reads it (Jackson with `ALLOW_COMMENTS`): object keys in written
 * order (a repeated key keeps its first position and its last value, as Jackson's `ObjectNode` does),
 * numbers kept as their lexemes so that `1` and `1.0` stay apart (Jackson makes the first an int and the
 * second a double, and Avro's default checks tell them apart). `/* ... *\/` and `//` comments count as
 * whitespace. Nesting deeper than `MAX_NESTING` is refused before anything recursive can overflow the stack.
 */
export type JsonNode =
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, JsonNode> }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

export type JsonObject = Extract<JsonNode, { kind: 'object' }>;

/** Objects and arrays inside one another; deeper schemas are refused (42201), never a stack overflow. */
export const MAX_NESTING = 256;

// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;

// Nodes are immutable: the literals need one object each, however often they occur.
const NULL: JsonNode = Object.freeze({ kind: 'null' });
const TRUE: JsonNode = Object.freeze({ kind: 'boolean', value: true });
const FALSE: JsonNode = Object.freeze({ kind: 'boolean', value: false });

export function readJson(text: string): JsonNode {
  const reader = new Reader(text);
  const node = reader.value();
  reader.end();
  return node;
}

/** A JSON pointer (RFC 6901) for a path of keys and indexes; the root is `/`, as in Avro's locations. */
export function pointer(path: readonly (string | number)[]): string {
  if (path.length === 0) return '/';
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

class Reader {
  readonly #text: string;
  #at = 0;
  readonly #path: (string | number)[] = [];

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
    if (number !== undefined) {
      const next = this.#text[this.#at];
      if (next !== undefined && /[0-9A-Za-z_.]/.test(next)) throw this.#error(`malformed number`);
      return { kind: 'number', raw: number };
    }
    const literal = this.#match(LITERAL);
    if (literal === 'null') return NULL;
    if (literal !== undefined) return literal === 'true' ? TRUE : FALSE;
    throw this.#error(c === undefined ? 'unexpected end of text' : `unexpected character '${c}'`);
  }

  end(): void {
    this.#skip();
    if (this.#at < this.#text.length) {
      // Avro's parser refuses "dangling content after end of schema".
      throw this.#error('dangling content after the end of the schema');
    }
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
      this.#path.push(items.length);
      items.push(this.value());
      this.#path.pop();
      if (this.#separator(']')) return { kind: 'array', items };
    }
  }

  /** After a member: true at the closing bracket, false at a comma. */
  #separator(close: string): boolean {
    this.#skip();
    const c = this.#text[this.#at];
    if (c === close) {
      this.#at++;
      return true;
    }
    if (c === ',') {
      this.#at++;
      return false;
    }
    throw this.#error(`expected ',' or '${close}'`);
  }

  #enter(): void {
    if (this.#path.length >= MAX_NESTING) {
      throw new InvalidSchemaError(`the schema nests deeper than ${MAX_NESTING} levels`, pointer(this.#path));
    }
  }

  #string(): string {
    // Most strings (names, types, docs) have no escape: up to the closing quote, no backslash and no control
    // character, the text between the quotes is the value.
    const t = this.#text;
    const start = this.#at + 1;
    for (let i = start; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.#at = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c || c < 0x20) break;
    }
    const raw = this.#match(STRING);
    if (raw === undefined) throw this.#error('malformed string');
    return JSON.parse(raw) as string;
  }

  #match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#at;
    const m = pattern.exec(this.#text);
    if (!m) return undefined;
    this.#at = pattern.lastIndex;
    return m[0];
  }

  /** Whitespace and comments. */
  #skip(): void {
    const t = this.#text;
    for (;;) {
      const c = t.charCodeAt(this.#at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        this.#at++;
      } else if (c === 0x2f && t[this.#at + 1] === '/') {
        const nl = t.indexOf('\n', this.#at);
        this.#at = nl < 0 ? t.length : nl + 1;
      } else if (c === 0x2f && t[this.#at + 1] === '*') {
        const close = t.indexOf('*/', this.#at + 2);
        if (close < 0) throw this.#error('unterminated comment');
        this.#at = close + 2;
      } else {
        return;
      }
    }
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

/** Jackson's reading of a number lexeme: integers become int, long or BigInteger nodes, the rest doubles. */
export type NumberClass = 'int' | 'long' | 'bigint' | 'double';

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export function numberClass(raw: string): NumberClass {
  if (!/^-?[0-9]+$/.test(raw)) return 'double';
  const n = BigInt(raw);
  if (n >= INT_MIN && n <= INT_MAX) return 'int';
  if (n >= LONG_MIN && n <= LONG_MAX) return 'long';
  return 'bigint';
}
