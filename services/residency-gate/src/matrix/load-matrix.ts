import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Matrix, MatrixIssue } from './matrix-types.ts';
import { checkReferences } from './matrix-references.ts';

const SCHEMA_URL = new URL('../../../../schema/matrix.schema.json', import.meta.url);
const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);

/** A matrix that failed to parse or validate; every problem with a pointer and, when known, a line. */
export class MatrixInvalidError extends Error {
  readonly issues: MatrixIssue[];
  constructor(source: string, issues: MatrixIssue[]) {
    const shown = issues
      .slice(0, 10)
      .map((i) => `${source}:${i.line ?? '?'}:${i.column ?? '?'} ${i.pointer || '/'}: ${i.message}`);
    super(`invalid residency matrix (${issues.length} problem(s)):\n  ${shown.join('\n  ')}`);
    this.issues = issues;
  }
}

export interface LoadedMatrix {
  matrix: Matrix;
  /** `sha256:<hex>` of the exact bytes: what a signature covers and what a decision names. */
  digest: string;
  text: string;
}

const unescape = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');

function position(doc: Document, counter: LineCounter, pointer: string, key?: string) {
  const path = pointer === '' ? [] : pointer.slice(1).split('/').map(unescape);
  let node: unknown = doc.contents;
  for (const segment of path) {
    let next: unknown;
    if (isMap(node)) next = node.get(segment, true);
    else if (isSeq(node)) next = node.get(Number(segment), true);
    else break;
    if (next === undefined) break;
    node = next;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key)) node = pair.key;
  }
  const range = (node as Node | null)?.range;
  if (!range) return { line: null, column: null };
  const pos = counter.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

function schemaMessage(e: ErrorObject): { message: string; key?: string } {
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      return { message: `unknown key "${key}"`, key };
    }
    case 'required':
      return { message: `missing "${(e.params as { missingProperty: string }).missingProperty}"` };
    case 'enum':
      return {
        message: `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`,
      };
    case 'propertyNames':
      return { message: `invalid name: ${e.message ?? ''}` };
    default:
      return { message: e.message ?? e.keyword };
  }
}

/** Parses a matrix from YAML text, validates it against the JSON Schema and its own references. */
export function parseMatrix(text: string, source = 'matrix'): LoadedMatrix {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new MatrixInvalidError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
        return { pointer: '', line: pos?.line ?? null, column: pos?.col ?? null, message: e.message };
      }),
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!validateSchema(value)) {
    // oneOf/if-then produce echo errors; keep the specific ones.
    const errors = (validateSchema.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
    const seen = new Set<string>();
    const issues: MatrixIssue[] = [];
    for (const e of errors) {
      const { message, key } = schemaMessage(e);
      const pointer = key !== undefined ? `${e.instancePath}/${key}` : e.instancePath;
      const id = `${pointer} ${message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      issues.push({ pointer, ...position(doc, counter, e.instancePath, key), message });
    }
    throw new MatrixInvalidError(source, issues);
  }
  const matrix = value as Matrix;
  const problems = checkReferences(matrix);
  if (problems.length > 0) {
    throw new MatrixInvalidError(
      source,
      problems.map((p) => ({ ...p, ...position(doc, counter, p.pointer) })),
    );
  }
  return { matrix, text, digest: `sha256:${createHash('sha256').update(text).digest('hex')}` };
}
