import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { BadCompressedBody, BodyTooLarge, MalformedJson, UnsupportedEncoding } from '../errors.ts';

/**
 * Reads a JSON body, gunzipping or inflating it per Content-Encoding, refusing more than `limit` bytes on
 * the wire or after decompression (so a small gzip bomb cannot blow up).
 */
export async function readJsonBody(
  headers: IncomingHttpHeaders,
  stream: Readable,
  limit: number,
): Promise<unknown> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    stream.resume();
    throw new BodyTooLarge(String(limit));
  }
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  let source: Readable = stream;
  if (encoding === 'gzip' || encoding === 'x-gzip') source = stream.pipe(createGunzip());
  else if (encoding === 'deflate') source = stream.pipe(createInflate());
  else if (encoding !== 'identity' && encoding !== '') {
    stream.resume();
    throw new UnsupportedEncoding(encoding);
  }
  let wire = 0;
  if (source !== stream) {
    stream.on('data', (chunk: Buffer) => {
      wire += chunk.length;
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit || wire > limit) {
        source.destroy();
        stream.resume();
        throw new BodyTooLarge(String(limit));
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof BodyTooLarge) throw err;
    throw new BadCompressedBody(err instanceof Error ? err.message : String(err));
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MalformedJson(err instanceof Error ? err.message : String(err));
  }
}
