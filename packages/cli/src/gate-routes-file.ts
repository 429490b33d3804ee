import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from './cli-config.ts';

/**
 * The part of streaming/cdc/data-spine.yaml (owned by the cdc router) that `spine gate` reads: sources,
 * sinks and routes. Every object is loose, so keys the router adds later are ignored here.
 */
const Source = z.looseObject({
  id: z.string(),
  region: z.string(),
  database: z.string().optional(),
  topicPrefix: z.string().optional(),
  tables: z.array(z.string()).default([]),
});
const Sink = z.looseObject({ id: z.string(), region: z.string(), ttl: z.string().optional() });
const RouteEntry = z.looseObject({
  source: z.string(),
  sink: z.string(),
  purpose: z.string(),
  tables: z.array(z.string()).default(['*']),
  classification: z.string().optional(),
  /** Per table pattern, the columns the route carries (the router always adds the key columns). */
  columns: z.record(z.string(), z.array(z.string())).optional(),
});
const RoutesFile = z.looseObject({
  sources: z.array(Source).default([]),
  sinks: z.array(Sink).default([]),
  routes: z.array(RouteEntry).default([]),
});
export type RoutesFile = z.infer<typeof RoutesFile>;

/** One table on one route: what the gate decides. */
export interface TableRoute {
  source: z.infer<typeof Source>;
  sink: z.infer<typeof Sink>;
  purpose: string;
  table: string;
  classification: string | undefined;
  /** The columns the route carries for this table; undefined: all of them. */
  columns: readonly string[] | undefined;
}

export async function readRoutesFile(path: string): Promise<RoutesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not YAML: ${(err as Error).message}`);
  }
  const parsed = RoutesFile.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UsageError(`${path}: /${i?.path.join('/') ?? ''}: ${i?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** Expands every route to its tables (patterns against the source's tables); unknown ids are usage errors. */
export function tableRoutes(file: RoutesFile, path: string): TableRoute[] {
  const out: TableRoute[] = [];
  file.routes.forEach((r, i) => {
    const source = file.sources.find((s) => s.id === r.source);
    const sink = file.sinks.find((s) => s.id === r.sink);
    if (!source)
      throw new UsageError(`${path}: routes[${i}] names source "${r.source}", which is not declared`);
    if (!sink) throw new UsageError(`${path}: routes[${i}] names sink "${r.sink}", which is not declared`);
    const patterns = r.tables.map(glob);
    const tables = source.tables.filter((t) => patterns.some((p) => p.test(t)));
    const selections = Object.entries(r.columns ?? {}).map(([p, cols]) => [glob(p), cols] as const);
    for (const table of tables) {
      // The first pattern that matches, as the router picks it.
      const columns = selections.find(([p]) => p.test(table))?.[1];
      out.push({ source, sink, purpose: r.purpose, table, classification: r.classification, columns });
    }
  });
  return out;
}
