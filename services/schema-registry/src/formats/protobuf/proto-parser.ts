import { InvalidSchemaError } from '../schema-format.ts';
import type {
  ExtendElement,
  FieldElement,
  GroupElement,
  Label,
  MessageElement,
  OneOfElement,
  OptionElement,
  OptionValue,
  ProtoFile,
  Syntax,
} from './proto-ast.ts';
import { syntaxError } from './proto-lexer.ts';
import { readBracketedOptions, readOption } from './option-reader.ts';
import { readEnum } from './enum-reader.ts';
import { readExtensions, readReserved } from './range-reader.ts';
import { readService } from './service-reader.ts';
import { TokenReader, joinDoc } from './token-reader.ts';

/**
 * Parses `.proto` text (proto2 and proto3) the way Wire's `ProtoParser` does: a syntactic parse, with
 * Wire's own checks (syntax first, labels required in proto2, no `required` in proto3, no label on a map,
 * no editions). Name resolution and the semantic checks live in `proto-validator.ts`.
 */

const MAX_NESTING = 64;
const LABELS: ReadonlySet<string> = new Set(['optional', 'required', 'repeated']);

export function parseProto(text: string): ProtoFile {
  return new ProtoParser(text).parseFile();
}

class ProtoParser {
  readonly #reader: TokenReader;
  #syntax: Syntax | null = null;
  #depth = 0;

  constructor(text: string) {
    this.#reader = new TokenReader(text);
  }

  parseFile(): ProtoFile {
    const r = this.#reader;
    const file: ProtoFile = {
      syntax: null,
      packageName: null,
      imports: [],
      publicImports: [],
      weakImports: [],
      options: [],
      types: [],
      extendDeclarations: [],
      services: [],
    };
    let declarations = 0;
    while (!r.atEnd()) {
      const index = declarations++;
      if (r.acceptSymbol(';')) continue;
      const start = r.peek();
      const doc = start.docBefore;
      const word = r.expectWord('a declaration');
      switch (word) {
        case 'syntax': {
          if (index !== 0)
            throw syntaxError("'syntax' must be the first declaration in a file", start.line, start.column);
          r.expectSymbol('=');
          const value = r.expectString('"proto2" or "proto3"');
          if (value !== 'proto2' && value !== 'proto3') {
            throw syntaxError(
              `unexpected syntax "${value}": expected "proto2" or "proto3"`,
              start.line,
              start.column,
            );
          }
          this.#syntax = file.syntax = value;
          r.expectSymbol(';');
          break;
        }
        case 'edition':
          throw syntaxError(
            'protobuf editions are not supported; use syntax = "proto3"',
            start.line,
            start.column,
          );
        case 'package':
          if (file.packageName !== null)
            throw syntaxError('the package is declared twice', start.line, start.column);
          file.packageName = r.expectName('a package name', true);
          if (file.packageName.startsWith('.'))
            throw syntaxError('a package name cannot start with "."', start.line, start.column);
          r.expectSymbol(';');
          break;
        case 'import': {
          const list = r.isWord('public')
            ? file.publicImports
            : r.isWord('weak')
              ? file.weakImports
              : file.imports;
          if (list !== file.imports) r.next();
          list.push(r.expectString('an import path').replaceAll('\\', '/'));
          r.expectSymbol(';');
          break;
        }
        case 'option':
          file.options.push(readOption(r, '='));
          r.expectSymbol(';');
          break;
        case 'message':
          file.types.push(this.#message(doc));
          break;
        case 'enum':
          file.types.push(readEnum(this.#reader, doc));
          break;
        case 'service':
          file.services.push(readService(this.#reader, doc));
          break;
        case 'extend':
          file.extendDeclarations.push(this.#extend(doc));
          break;
        default:
          throw syntaxError(`unexpected '${word}' at the top level of the file`, start.line, start.column);
      }
    }
    return file;
  }

  #message(doc: string): MessageElement {
    const r = this.#reader;
    const position = r.position();
    const name = r.expectName('a message name');
    if (++this.#depth > MAX_NESTING)
      throw syntaxError(`messages nest deeper than ${MAX_NESTING}`, position.line, position.column);
    const message: MessageElement = {
      kind: 'message',
      name,
      fields: [],
      oneOfs: [],
      groups: [],
      nestedTypes: [],
      options: [],
      reserveds: [],
      extensions: [],
      extendDeclarations: [],
      doc,
      position,
    };
    r.expectSymbol('{');
    while (!r.acceptSymbol('}')) {
      if (r.acceptSymbol(';')) continue;
      const start = r.peek();
      const word = r.expectWord('a field or declaration');
      switch (word) {
        case 'option':
          message.options.push(readOption(r, '='));
          r.expectSymbol(';');
          break;
        case 'reserved':
          message.reserveds.push(readReserved(this.#reader));
          break;
        case 'message':
          message.nestedTypes.push(this.#message(start.docBefore));
          break;
        case 'enum':
          message.nestedTypes.push(readEnum(this.#reader, start.docBefore));
          break;
        case 'extend':
          message.extendDeclarations.push(this.#extend(start.docBefore));
          break;
        case 'oneof':
          message.oneOfs.push(this.#oneOf(start.docBefore));
          break;
        case 'extensions':
          message.extensions.push(readExtensions(this.#reader));
          break;
        default: {
          const field = this.#labelledField(word, start.docBefore);
          if ('fields' in field) message.groups.push(field);
          else message.fields.push(field);
        }
      }
    }
    this.#depth--;
    return message;
  }

  /** A field in a message or extend block; `word` is its label, or its type when it has none. */
  #labelledField(word: string, doc: string): FieldElement | GroupElement {
    const r = this.#reader;
    const start = r.previous();
    let label: Label | null = null;
    let type: string;
    if (LABELS.has(word)) {
      label = word as Label;
      if (label === 'required' && this.#syntax === 'proto3') {
        throw syntaxError("'required' fields are not allowed in proto3", start.line, start.column);
      }
      type = this.#dataType(r.expectWord('a field type'));
    } else {
      const isMap = word === 'map' && r.isSymbol('<');
      if (this.#syntax !== 'proto3' && !isMap) {
        throw syntaxError(
          `unexpected '${word}': proto2 fields need a label (optional, required or repeated)`,
          start.line,
          start.column,
        );
      }
      type = this.#dataType(word);
    }
    if (type.startsWith('map<') && label !== null)
      throw syntaxError("a 'map' field cannot have a label", start.line, start.column);
    if (type === 'group') return this.#group(label, doc, start);
    return this.#field(label, type, doc, start);
  }

  #dataType(word: string): string {
    const r = this.#reader;
    if (word === 'map' && r.acceptSymbol('<')) {
      const key = r.expectName('a map key type', true);
      r.expectSymbol(',');
      const value = r.expectName('a map value type', true);
      r.expectSymbol('>');
      return `map<${key}, ${value}>`;
    }
    if (!/^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(word)) {
      const t = r.previous();
      throw syntaxError(`'${word}' is not a valid type name`, t.line, t.column);
    }
    return word;
  }

  #field(
    label: Label | null,
    type: string,
    doc: string,
    start: { line: number; column: number },
  ): FieldElement {
    const r = this.#reader;
    const name = r.expectName('a field name');
    r.expectSymbol('=');
    const tag = r.expectInt('a field number');
    const options = readBracketedOptions(r);
    const defaultValue = stripOption(options, 'default');
    const jsonName = stripOption(options, 'json_name');
    r.expectSymbol(';');
    return {
      name,
      tag,
      label,
      type,
      options,
      defaultValue,
      jsonName,
      doc: joinDoc(doc, r.previous().docAfter),
      position: { line: start.line, column: start.column },
    };
  }

  #group(label: Label | null, doc: string, start: { line: number; column: number }): GroupElement {
    const r = this.#reader;
    if (this.#syntax === 'proto3')
      throw syntaxError('groups are not allowed in proto3', start.line, start.column);
    const name = r.expectName('a group name');
    r.expectSymbol('=');
    const tag = r.expectInt('a field number');
    const fields: FieldElement[] = [];
    r.expectSymbol('{');
    while (!r.acceptSymbol('}')) {
      const t = r.peek();
      const field = this.#labelledField(r.expectWord('a field'), t.docBefore);
      if ('fields' in field) throw syntaxError('groups cannot nest', t.line, t.column);
      fields.push(field);
    }
    return { name, tag, label, fields, doc, position: { line: start.line, column: start.column } };
  }

  #oneOf(doc: string): OneOfElement {
    const r = this.#reader;
    const position = r.position();
    const oneOf: OneOfElement = {
      name: r.expectName('a oneof name'),
      fields: [],
      groups: [],
      options: [],
      doc,
      position,
    };
    r.expectSymbol('{');
    while (!r.acceptSymbol('}')) {
      if (r.acceptSymbol(';')) continue;
      const start = r.peek();
      const word = r.expectWord('a oneof field');
      if (word === 'option') {
        oneOf.options.push(readOption(r, '='));
        r.expectSymbol(';');
      } else if (LABELS.has(word)) {
        throw syntaxError(`fields in a oneof cannot have a label ('${word}')`, start.line, start.column);
      } else if (word === 'group') {
        oneOf.groups.push(this.#group(null, start.docBefore, start));
      } else {
        const type = this.#dataType(word);
        if (type.startsWith('map<'))
          throw syntaxError('map fields cannot be in a oneof', start.line, start.column);
        oneOf.fields.push(this.#field(null, type, start.docBefore, start));
      }
    }
    return oneOf;
  }

  #extend(doc: string): ExtendElement {
    const r = this.#reader;
    const position = r.position();
    const name = r.expectName('the name of the extended message', true);
    const fields: FieldElement[] = [];
    r.expectSymbol('{');
    while (!r.acceptSymbol('}')) {
      if (r.acceptSymbol(';')) continue;
      const start = r.peek();
      const field = this.#labelledField(r.expectWord('an extension field'), start.docBefore);
      if ('fields' in field)
        throw syntaxError('groups are not supported in extend blocks', start.line, start.column);
      fields.push(field);
    }
    return { name, fields, doc, position };
  }
}

/** Wire keeps `default` and `json_name` apart from the other options. */
function stripOption(options: OptionElement[], name: string): string | null {
  let result: string | null = null;
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i]!;
    if (option.name !== name || option.parenthesized) continue;
    options.splice(i, 1);
    result ??= scalarText(option.value);
  }
  return result;
}

function scalarText(value: OptionValue): string {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
      return value.value;
    case 'map':
    case 'list':
    case 'option':
      throw new InvalidSchemaError('default and json_name must be single values');
  }
}
