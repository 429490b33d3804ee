import { InvalidSchemaError } from '../schema-format.ts';

/**
 * Splits `.proto` text into words, strings and symbols. Comments are not tokens: they become the
 * documentation of the declaration that follows them (`docBefore`) or, on the same line, of the one that
 * ends before them (`docAfter`), as Wire attaches them.
 */

export interface Token {
  kind: 'word' | 'string' | 'symbol' | 'eof';
  /** Source text (for strings, the unescaped value). */
  text: string;
  line: number;
  column: number;
  docBefore: string;
  docAfter: string;
}

/** `path` is `line:column` of the problem, so a person can find it in the file. */
export function syntaxError(message: string, line: number, column: number): InvalidSchemaError {
  return new InvalidSchemaError(`line ${line}, column ${column}: ${message}`, `${line}:${column}`);
}

const SYMBOLS = new Set(['{', '}', '[', ']', '(', ')', '<', '>', ';', ',', '=', ':', '-', '+', '/']);
const isWordChar = (c: string) => /[A-Za-z0-9_.]/.test(c);

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let pendingDoc: string[] = [];

  const column = () => i - lineStart + 1;
  const push = (kind: Token['kind'], value: string, atLine: number, atColumn: number) => {
    tokens.push({
      kind,
      text: value,
      line: atLine,
      column: atColumn,
      docBefore: pendingDoc.join('\n'),
      docAfter: '',
    });
    pendingDoc = [];
  };
  const addComment = (body: string, atLine: number) => {
    const last = tokens.at(-1);
    if (last && last.line === atLine && pendingDoc.length === 0) {
      last.docAfter = last.docAfter ? `${last.docAfter}\n${body}` : body;
    } else if (body) {
      pendingDoc.push(body);
    }
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      addComment(
        text
          .slice(i + 2, stop)
          .replace(/^\/?\s?/, '')
          .trimEnd(),
        line,
      );
      i = stop;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const startLine = line;
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw syntaxError('unterminated /* comment', line, column());
      const body = text.slice(i + 2, end);
      for (let k = i; k < end; k++) {
        if (text[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = end + 2;
      const cleaned = body
        .split('\n')
        .map((l) => l.replace(/^\s*\*?\s?/, '').trimEnd())
        .join('\n')
        .trim();
      addComment(cleaned, startLine);
      continue;
    }
    const atLine = line;
    const atColumn = column();
    if (c === '"' || c === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length || text[i] === '\n') throw syntaxError('unterminated string', atLine, atColumn);
        const d = text[i]!;
        if (d === c) {
          i++;
          break;
        }
        if (d !== '\\') {
          value += d;
          i++;
          continue;
        }
        const e = text[i + 1] ?? '';
        const simple = SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          value += simple;
          i += 2;
        } else if (e === 'x' || e === 'X') {
          const hex = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(i + 2, i + 4))?.[0];
          if (!hex) throw syntaxError('invalid \\x escape', line, column());
          value += String.fromCharCode(parseInt(hex, 16));
          i += 2 + hex.length;
        } else if (/[0-7]/.test(e)) {
          const oct = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
          value += String.fromCharCode(parseInt(oct, 8));
          i += 1 + oct.length;
        } else if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + n);
          if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex))
            throw syntaxError(`invalid \\${e} escape`, line, column());
          value += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + n;
        } else {
          throw syntaxError(`invalid escape \\${e}`, line, column());
        }
      }
      push('string', value, atLine, atColumn);
      continue;
    }
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < text.length) {
        const d = text[j]!;
        if (isWordChar(d)) {
          j++;
        } else if ((d === '+' || d === '-') && /^[0-9.]+[eE]$/.test(text.slice(i, j))) {
          j++; // exponent sign: 1e-5
        } else {
          break;
        }
      }
      push('word', text.slice(i, j), atLine, atColumn);
      i = j;
      continue;
    }
    if (SYMBOLS.has(c)) {
      push('symbol', c, atLine, atColumn);
      i++;
      continue;
    }
    throw syntaxError(`unexpected character '${c}'`, atLine, atColumn);
  }
  tokens.push({
    kind: 'eof',
    text: '',
    line,
    column: column(),
    docBefore: pendingDoc.join('\n'),
    docAfter: '',
  });
  return tokens;
}
