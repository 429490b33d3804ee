import { checkDepth, childPath } from './flat-fields.ts';
import type { FlatFields } from './flat-fields.ts';

/** One field of a message: its name, the type it names, and the tags of its options. */
interface ProtoField {
  name: string;
  type: string;
  tags: string[];
}

interface ProtoMessage {
  /** Full name within the file (`Outer.Inner`, without the package). */
  name: string;
  fields: ProtoField[];
}

const TOKEN =
  /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_.][\w.]*|[-+]?\d[\w.+-]*|[{}[\]()<>;=,:-]/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) throw new Error(`unexpected character ${JSON.stringify(text[at])} at offset ${at}`);
    const t = m[0];
    if (!/^\s/.test(t) && !t.startsWith('//') && !t.startsWith('/*')) out.push(t);
  }
  return out;
}

const unquote = (t: string) => t.slice(1, -1).replace(/\\(.)/g, '$1');
const isString = (t: string | undefined) => t !== undefined && (t.startsWith('"') || t.startsWith("'"));

/** Tags from a field's options: `(confluent.field_meta) = { tags: ["PII"] }` or `(...).tags = "PII"`. */
function optionTags(options: readonly string[]): string[] {
  const tags: string[] = [];
  for (let i = 0; i < options.length; i++) {
    const t = options[i] as string;
    if ((t !== 'tags' && !t.endsWith('.tags')) || (options[i + 1] !== ':' && options[i + 1] !== '='))
      continue;
    const v = options[i + 2];
    if (isString(v)) tags.push(unquote(v as string).toLowerCase());
    else if (v === '[')
      for (let j = i + 3; j < options.length && options[j] !== ']'; j++)
        if (isString(options[j])) tags.push(unquote(options[j] as string).toLowerCase());
  }
  return tags;
}

/** A small recursive-descent reader of .proto files: messages, nested messages, oneofs, maps, groups. */
class ProtoParser {
  private i = 0;
  readonly messages = new Map<string, ProtoMessage>();
  readonly top: string[] = [];
  packageName = '';

  private readonly tokens: string[];
  constructor(tokens: string[]) {
    this.tokens = tokens;
  }

  private peek(k = 0): string | undefined {
    return this.tokens[this.i + k];
  }

  private next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new Error('unexpected end of the protobuf schema');
    return t;
  }

  private expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new Error(`expected "${t}" but found "${got}" in the protobuf schema`);
  }

  /** Skips a statement to its `;`, or a block `{ ... }` with what it nests. */
  private skip(): void {
    let depth = 0;
    for (;;) {
      const t = this.next();
      if (t === '{') depth++;
      else if (t === '}') {
        if (--depth <= 0) return;
      } else if (t === ';' && depth === 0) return;
    }
  }

  /** The tokens of `[ ... ]` (the opening bracket already read). */
  private bracket(): string[] {
    const out: string[] = [];
    let depth = 1;
    for (;;) {
      const t = this.next();
      if (t === '[') depth++;
      else if (t === ']' && --depth === 0) return out;
      out.push(t);
    }
  }

  parseFile(): void {
    while (this.peek() !== undefined) {
      const t = this.next();
      if (t === 'message') this.top.push(this.parseMessage(''));
      else if (t === 'package') {
        this.packageName = this.next();
        this.expect(';');
      } else if (t === ';') continue;
      else {
        this.i--;
        this.skip(); // syntax, import, option, enum, service, extend
      }
    }
  }

  /** `message Name { ... }` after the keyword; returns the full name. */
  private parseMessage(scope: string): string {
    const name = childPath(scope, this.next());
    this.expect('{');
    const message: ProtoMessage = { name, fields: [] };
    this.messages.set(name, message);
    this.parseBody(message, '}');
    return name;
  }

  private parseBody(message: ProtoMessage, end: string): void {
    for (;;) {
      const t = this.next();
      if (t === end) return;
      if (t === ';') continue;
      if (t === 'message') this.parseMessage(message.name);
      else if (t === 'oneof') {
        this.next();
        this.expect('{');
        this.parseBody(message, '}'); // a oneof's fields are fields of the message
      } else if (['enum', 'option', 'reserved', 'extensions', 'extend'].includes(t)) {
        this.i--;
        this.skip();
      } else {
        this.i--;
        this.parseField(message);
      }
    }
  }

  private parseField(message: ProtoMessage): void {
    if (['optional', 'repeated', 'required'].includes(this.peek() as string)) this.next();
    let type = this.next();
    if (type === 'group') {
      // proto2: `repeated group Result = 1 { ... }` is a nested message and a field of it.
      const group = this.next();
      this.expect('=');
      this.next();
      if (this.peek() === '[') {
        this.next();
        this.bracket();
      }
      this.expect('{');
      const nested: ProtoMessage = { name: childPath(message.name, group), fields: [] };
      this.messages.set(nested.name, nested);
      this.parseBody(nested, '}');
      message.fields.push({ name: group.toLowerCase(), type: nested.name, tags: [] });
      return;
    }
    if (type === 'map') {
      this.expect('<');
      this.next();
      this.expect(',');
      type = this.next();
      this.expect('>');
    }
    const name = this.next();
    if (!/^[A-Za-z_]\w*$/.test(name))
      throw new Error(`cannot read the protobuf field near "${type} ${name}"`);
    this.expect('=');
    this.next();
    let tags: string[] = [];
    if (this.peek() === '[') {
      this.next();
      tags = optionTags(this.bracket());
    }
    this.expect(';');
    message.fields.push({ name, type, tags });
  }

  /** The message a field's type names, searched from the innermost scope out, as protoc does. */
  resolve(type: string, scope: string): ProtoMessage | undefined {
    let t = type.startsWith('.') ? type.slice(1) : type;
    if (this.packageName && t.startsWith(`${this.packageName}.`)) t = t.slice(this.packageName.length + 1);
    if (type.startsWith('.')) return this.messages.get(t);
    const parts = scope === '' ? [] : scope.split('.');
    for (let n = parts.length; n >= 0; n--) {
      const found = this.messages.get(childPath(parts.slice(0, n).join('.'), t));
      if (found) return found;
    }
    return undefined;
  }
}

/**
 * Protobuf: the first message's fields by dotted path, through nested and referenced messages, oneofs
 * (their fields are the message's), maps (of messages too) and proto2 groups, with the tags of
 * `(confluent.field_meta)`; a field's tags apply to everything inside it. A recursive message is cut where
 * it recurs: that field is a leaf carrying every tag found inside the message.
 */
export function protobufFields(text: string, out: FlatFields): string | null {
  const parser = new ProtoParser(tokenize(text));
  parser.parseFile();
  const rootName = parser.top[0];
  if (rootName === undefined) return null;
  const tagsWithin = (m: ProtoMessage, seen: Set<string>): string[] => {
    if (seen.has(m.name)) return [];
    seen.add(m.name);
    return m.fields.flatMap((f) => {
      const nested = parser.resolve(f.type, m.name);
      return [...f.tags, ...(nested ? tagsWithin(nested, seen) : [])];
    });
  };
  const walk = (path: string, m: ProtoMessage, inherited: string[], stack: string[], depth: number) => {
    checkDepth(depth, path);
    for (const f of m.fields) {
      const p = childPath(path, f.name);
      const tags = [...inherited, ...f.tags];
      const nested = parser.resolve(f.type, m.name);
      if (nested === undefined) out.add(p, tags);
      else if (stack.includes(nested.name)) out.add(p, [...tags, ...tagsWithin(nested, new Set())]);
      else {
        const before = out.size;
        walk(p, nested, tags, [...stack, nested.name], depth + 1);
        if (out.size === before) out.add(p, tags);
      }
    }
  };
  const root = parser.messages.get(rootName) as ProtoMessage;
  walk('', root, [], [root.name], 0);
  return root.name.split('.').at(-1) ?? null;
}
