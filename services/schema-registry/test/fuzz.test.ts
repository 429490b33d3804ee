import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, ADMIN, CT, startRegistry } from './registry-harness.ts';
import type { RegistryHarness } from './registry-harness.ts';
import { seededRandom as rng } from '../src/testing/seeded-random.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 300);

const VALID = [
  JSON.stringify({
    type: 'record',
    name: 'Fz',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'n', type: ['null', 'long'], default: null },
    ],
  }),
  'syntax = "proto3";\npackage fz;\nmessage Fz { string id = 1; int64 n = 2; }\n',
  JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } }),
];
const TYPES = ['AVRO', 'PROTOBUF', 'JSON', 'XML', '', 42, null] as const;

/** Mutates a text: flips, deletes, duplicates and inserts characters, including lone surrogates. */
function mutate(text: string, r: () => number): string {
  const chars = [...text];
  const n = 1 + Math.floor(r() * 6);
  const alphabet = [
    '{',
    '}',
    '[',
    ']',
    '"',
    ':',
    ',',
    '\\',
    '\u0000',
    '\ud800',
    '\uffff',
    ';',
    '=',
    ' ',
    'é',
  ];
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (chars.length + 1));
    const op = r();
    if (op < 0.3) chars.splice(at, 1);
    else if (op < 0.6) chars.splice(at, 0, alphabet[Math.floor(r() * alphabet.length)] as string);
    else if (op < 0.8) chars.splice(at, 0, ...chars.slice(at, at + 8));
    else chars[at] = String.fromCharCode(Math.floor(r() * 0x10000));
  }
  return chars.join('');
}

function nested(depth: number, open: string, close: string): string {
  return open.repeat(depth) + close.repeat(depth);
}

describe('schema registry: fuzzed and hostile input never gets a 500', () => {
  let r: RegistryHarness;
  beforeAll(async () => {
    r = await startRegistry('registry-fuzz');
  });
  afterAll(async () => r?.close());

  const send = (method: 'POST' | 'PUT', url: string, payload: string | Buffer) =>
    r.app.inject({ method, url, headers: { 'content-type': CT, authorization: basic(ADMIN) }, payload });

  it(`answers ${CASES} mutated schemas and bodies with 2xx or 4xx and a Confluent error body (seed ${SEED})`, async () => {
    const random = rng(SEED);
    const urls = [
      '/subjects/fz-value/versions',
      '/subjects/fz-value',
      '/compatibility/subjects/fz-value/versions/latest',
      '/schemas/fz-value/validate',
      '/contracts/fz-value/diff',
    ];
    for (let i = 0; i < CASES; i++) {
      const base = VALID[i % VALID.length] as string;
      const body =
        random() < 0.2
          ? mutate(JSON.stringify({ schema: base }), random)
          : JSON.stringify({
              schema: mutate(base, random),
              schemaType: TYPES[Math.floor(random() * TYPES.length)],
              ...(random() < 0.2
                ? { references: [{ name: mutate('x', random), subject: 'nope', version: 1 }] }
                : {}),
            });
      const url = urls[Math.floor(random() * urls.length)] as string;
      const res = await send('POST', url, body);
      expect(res.statusCode, `case ${i} ${url}: ${body.slice(0, 200)} -> ${res.body}`).toBeLessThan(500);
      if (res.statusCode >= 400) expect(res.json()).toHaveProperty('error_code');
    }
  });

  it('refuses deeply nested JSON, Avro, Protobuf and JSON Schema without overflowing', async () => {
    const deepAvro = '{"type":"array","items":'.repeat(5000) + '"string"' + '}'.repeat(5000);
    const deepJson = JSON.stringify({ schema: nested(20000, '[', ']') });
    const deepProto = `syntax = "proto3";\n${nested(3000, 'message M {', '}')}`;
    const deepJsonSchema = '{"type":"object","properties":{"a":'.repeat(3000) + '{}' + '}}'.repeat(3000);
    for (const [schema, schemaType] of [
      [deepAvro, 'AVRO'],
      [deepProto, 'PROTOBUF'],
      [deepJsonSchema, 'JSON'],
    ] as const) {
      const res = await send('POST', '/subjects/deep-value/versions', JSON.stringify({ schema, schemaType }));
      expect(res.statusCode, `${schemaType}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
    }
    expect((await send('POST', '/subjects/deep-value/versions', deepJson)).statusCode).toBeLessThan(500);
  });

  it('answers 413 beyond the body limit and 4xx to invalid UTF-8, empty and non-JSON bodies', async () => {
    const huge = JSON.stringify({ schema: 'x'.repeat(2 * 1024 * 1024) });
    expect((await send('POST', '/subjects/big-value/versions', huge)).statusCode).toBe(413);
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"schema":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const bad = await send('POST', '/subjects/utf-value/versions', invalidUtf8);
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    for (const payload of [
      '',
      'null',
      '[]',
      '"schema"',
      '{"schema":""}',
      '{"schema":{}}',
      '{"schema":"\\"int\\"","references":"x"}',
    ])
      expect((await send('POST', '/subjects/odd-value/versions', payload)).statusCode, payload).toBeLessThan(
        500,
      );
    for (const url of [
      '/subjects/%ff/versions',
      '/subjects/x/versions/abc',
      '/subjects/x/versions/0',
      '/schemas/ids/-1',
      '/schemas/ids/99999999999',
    ])
      expect((await r.get(url)).statusCode, url).toBeLessThan(500);
  });

  it('registers a wide schema (2,000 fields) and a long subject name', async () => {
    const fields = Array.from({ length: 2000 }, (_, i) => ({ name: `f_${i}`, type: 'long', doc: 'x' }));
    const schema = JSON.stringify({ type: 'record', name: 'Wide', doc: 'w', fields });
    const subject = 'wide-' + 'a'.repeat(200);
    const res = await send('POST', `/subjects/${subject}/versions`, JSON.stringify({ schema }));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  });
});
