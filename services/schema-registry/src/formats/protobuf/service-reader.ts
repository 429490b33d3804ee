import type { OptionElement, RpcElement, ServiceElement } from './proto-ast.ts';
import { syntaxError } from './proto-lexer.ts';
import { readOption } from './option-reader.ts';
import type { TokenReader } from './token-reader.ts';

/** `service Name { rpc ... }`, after the `service` keyword. */

export function readService(r: TokenReader, doc: string): ServiceElement {
  const position = r.position();
  const service: ServiceElement = {
    name: r.expectName('a service name'),
    rpcs: [],
    options: [],
    doc,
    position,
  };
  r.expectSymbol('{');
  while (!r.acceptSymbol('}')) {
    if (r.acceptSymbol(';')) continue;
    const start = r.peek();
    const word = r.expectWord("'rpc' or 'option'");
    if (word === 'option') {
      service.options.push(readOption(r, '='));
      r.expectSymbol(';');
    } else if (word === 'rpc') {
      service.rpcs.push(readRpc(r, start.docBefore));
    } else {
      throw syntaxError(`unexpected '${word}' in a service`, start.line, start.column);
    }
  }
  return service;
}

function readRpc(r: TokenReader, doc: string): RpcElement {
  const position = r.position();
  const name = r.expectName('an rpc name');
  const [requestStreaming, requestType] = readRpcType(r);
  if (r.expectWord("'returns'") !== 'returns')
    throw syntaxError("expected 'returns'", r.previous().line, r.previous().column);
  const [responseStreaming, responseType] = readRpcType(r);
  const options: OptionElement[] = [];
  if (r.acceptSymbol('{')) {
    while (!r.acceptSymbol('}')) {
      if (r.acceptSymbol(';')) continue;
      if (r.expectWord("'option'") !== 'option')
        throw syntaxError("expected 'option'", r.previous().line, r.previous().column);
      options.push(readOption(r, '='));
      r.expectSymbol(';');
    }
  } else {
    r.expectSymbol(';');
  }
  return { name, requestType, responseType, requestStreaming, responseStreaming, options, doc, position };
}

function readRpcType(r: TokenReader): [boolean, string] {
  r.expectSymbol('(');
  let streaming = false;
  let word = r.expectName('a message type', true);
  if (word === 'stream' && !r.isSymbol(')')) {
    streaming = true;
    word = r.expectName('a message type', true);
  }
  r.expectSymbol(')');
  return [streaming, word];
}
