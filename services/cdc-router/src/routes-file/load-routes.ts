import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';

import type { Issue } from '@data-spine/contracts';
import { withIssues } from '@data-spine/service-kit';
import { RoutesInvalid } from '../errors.ts';
import { ROUTES_JSON_SCHEMA } from './routes-schema.ts';
import type { RoutesFile, RouteSpec, SinkSpec, SourceSpec } from './routes-model.ts';
import { tableMatches } from './routes-model.ts';

/** An issue in the routes file: a JSON pointer, the rule and the line/column it sits on. */
export interface RoutesIssue extends Issue {
  line?: number;
  column?: number;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(ROUTES_JSON_SCHEMA);

function pathOf(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The line of the deepest node of the document that the pointer reaches. */
function locate(
  doc: Document,
  lines: LineCounter,
  pointer: string,
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (const token of pathOf(pointer)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === token);
      if (!pair) break;
      found = pair.key ?? pair.value;
      node = pair.value;
      if (node) found = node;
    } else if (isSeq(node)) {
      node = node.items[Number(token)];
      if (!node) break;
      found = node;
    } else break;
  }
  const range = (found as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  const pos = lines.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

function ajvIssue(e: ErrorObject): Issue {
  let pointer = e.instancePath;
  let message = e.message ?? 'invalid';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    pointer = `${pointer}/${extra}`;
    message = `unknown key "${extra}"`;
  } else if (e.keyword === 'required') {
    message = `missing "${(e.params as { missingProperty: string }).missingProperty}"`;
  } else if (e.keyword === 'enum') {
    message = `${message}: ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}`;
  }
  return { pointer, rule: e.keyword, message };
}

/** Rules a JSON Schema cannot say: unique ids, references that resolve, patterns that match something. */
function crossCheck(file: RoutesFile): Issue[] {
  const issues: Issue[] = [];
  const dup = (items: { id: string }[], key: string) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.id))
        issues.push({ pointer: `/${key}/${i}/id`, rule: 'unique', message: `duplicate id "${it.id}"` });
      seen.add(it.id);
    });
  };
  dup(file.sources, 'sources');
  dup(file.sinks, 'sinks');
  dup(file.routes, 'routes');
  const prefixes = new Map<string, number>();
  file.sources.forEach((s, i) => {
    const other = prefixes.get(s.topicPrefix);
    if (other !== undefined)
      issues.push({
        pointer: `/sources/${i}/topicPrefix`,
        rule: 'unique',
        message: `topic prefix "${s.topicPrefix}" is already used by sources/${other}`,
      });
    prefixes.set(s.topicPrefix, i);
  });
  file.sinks.forEach((s, i) => {
    if (s.type === 'postgres' && !s.database && !s.connection)
      issues.push({
        pointer: `/sinks/${i}`,
        rule: 'required',
        message: 'a postgres sink needs "database" or "connection"',
      });
  });
  file.routes.forEach((r, i) => {
    const source = file.sources.find((s) => s.id === r.source);
    if (!source)
      issues.push({ pointer: `/routes/${i}/source`, rule: 'reference', message: `no source "${r.source}"` });
    if (!file.sinks.some((s) => s.id === r.sink))
      issues.push({ pointer: `/routes/${i}/sink`, rule: 'reference', message: `no sink "${r.sink}"` });
    if (source?.tables) {
      r.tables.forEach((p, j) => {
        if (!source.tables!.some((t) => tableMatches(p, t)))
          issues.push({
            pointer: `/routes/${i}/tables/${j}`,
            rule: 'matches',
            message: `"${p}" matches no table of source "${source.id}"`,
          });
      });
    }
  });
  return issues;
}

function withDefaults(raw: Record<string, unknown>): RoutesFile {
  const sources = raw.sources as SourceSpec[];
  const sinks = raw.sinks as SinkSpec[];
  const routes = (raw.routes as Omit<RouteSpec, 'id'>[]).map((r): RouteSpec => ({
    ...r,
    id: (r as Partial<RouteSpec>).id ?? `${r.source}-to-${r.sink}`,
  }));
  const dl = (raw['dead-letter'] ?? {}) as {
    topic?: string;
    table?: string;
    maxAttempts?: number;
    replay?: { ratePerSecond?: number };
  };
  const first = sources[0]?.topicPrefix ?? 'spine';
  return {
    version: 1,
    sources,
    sinks,
    routes,
    deadLetter: {
      topic: dl.topic ?? `${first}.spine.dlq`,
      table: dl.table ?? 'public.cdc_dead_letter',
      maxAttempts: dl.maxAttempts ?? 5,
      replay: { ratePerSecond: dl.replay?.ratePerSecond ?? 500 },
    },
  };
}

/** Parses and validates the routes file's text; throws CDC_ROUTES_INVALID with every issue and its line. */
export function parseRoutes(text: string, origin = 'routes file'): RoutesFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (issues: Issue[]): RoutesIssue[] =>
    issues.map((i) => ({ ...i, ...locate(doc, lines, i.pointer) }));
  const fail = (issues: RoutesIssue[]): never => {
    const summary = issues
      .map((i) => `${origin}${i.line ? `:${i.line}` : ''} ${i.pointer || '/'}: ${i.message}`)
      .join('; ');
    throw withIssues(new RoutesInvalid(summary), issues);
  };
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => ({
        pointer: '',
        rule: 'yaml',
        message: e.message.split('\n')[0] ?? e.code,
        line: lines.linePos(e.pos[0]).line,
        column: lines.linePos(e.pos[0]).col,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  if (!validate(raw)) fail(at((validate.errors ?? []).map(ajvIssue)));
  const file = withDefaults(raw as Record<string, unknown>);
  const cross = crossCheck(file);
  if (cross.length > 0) fail(at(cross));
  return file;
}

export function loadRoutesFile(path: string): RoutesFile {
  return parseRoutes(readFileSync(path, 'utf8'), path);
}
