import { InvalidSchemaError } from '../schema-format.ts';
import type { ResolvedReference } from '../schema-format.ts';
import type { ProtoFile } from './proto-ast.ts';
import { parseProto } from './proto-parser.ts';
import { WELL_KNOWN_PROTOS } from './well-known/well-known-protos.ts';

/** One `.proto` file of a schema: the schema itself or one of its imports. */
export interface LoadedFile {
  /** The import path (the reference name); `''` for the schema being parsed. */
  path: string;
  file: ProtoFile;
  /**
   * The reference this file came from, when the schema names it directly; null for built-in imports and
   * for references of references. The schema itself gets `{ subject: '', version: -1 }`, as Confluent's
   * diff does, so two local types compare as "same reference".
   */
  reference: { subject: string; version: number } | null;
}

export interface LoadedSchema {
  root: LoadedFile;
  /** Every file the root imports, transitively, in the order first imported. */
  dependencies: LoadedFile[];
}

const ROOT_REFERENCE = { subject: '', version: -1 } as const;
const builtInCache = new Map<string, ProtoFile>();

export const importsOf = (file: ProtoFile) => [...file.imports, ...file.publicImports, ...file.weakImports];

/**
 * Parses `text` and every import it needs. An import is found among the references (by `name`, at any
 * depth) or among the built-in well-known files; anything else is an `InvalidSchemaError`.
 */
export function loadSchema(text: string, references: readonly ResolvedReference[]): LoadedSchema {
  const available = flattenReferences(references);
  const root: LoadedFile = { path: '', file: parseProto(text), reference: ROOT_REFERENCE };
  const loaded = new Map<string, LoadedFile>();
  const queue: LoadedFile[] = [root];
  for (let current = queue.shift(); current; current = queue.shift()) {
    for (const path of importsOf(current.file)) {
      if (loaded.has(path)) continue;
      const dependency = loadImport(path, current.path, available);
      loaded.set(path, dependency);
      queue.push(dependency);
    }
  }
  return { root, dependencies: [...loaded.values()] };
}

interface AvailableFile {
  schema: string;
  direct: ResolvedReference | null;
}

function flattenReferences(references: readonly ResolvedReference[]): Map<string, AvailableFile> {
  const result = new Map<string, AvailableFile>();
  for (const ref of references) result.set(ref.name, { schema: ref.schema, direct: ref });
  const visit = (refs: readonly ResolvedReference[], depth: number) => {
    if (depth > 32) throw new InvalidSchemaError('references nest deeper than 32 levels');
    for (const ref of refs) {
      if (!result.has(ref.name)) result.set(ref.name, { schema: ref.schema, direct: null });
      visit(ref.references, depth + 1);
    }
  };
  for (const ref of references) visit(ref.references, 1);
  return result;
}

function loadImport(path: string, importer: string, available: Map<string, AvailableFile>): LoadedFile {
  const provided = available.get(path);
  if (provided) {
    try {
      const reference = provided.direct
        ? { subject: provided.direct.subject, version: provided.direct.version }
        : null;
      return { path, file: parseProto(provided.schema), reference };
    } catch (e) {
      if (!(e instanceof InvalidSchemaError)) throw e;
      throw new InvalidSchemaError(`imported file "${path}" is invalid: ${e.message}`, path, { cause: e });
    }
  }
  const builtIn = WELL_KNOWN_PROTOS.get(path);
  if (builtIn !== undefined) {
    let file = builtInCache.get(path);
    if (!file) builtInCache.set(path, (file = parseProto(builtIn)));
    return { path, file, reference: null };
  }
  const by = importer ? ` (imported by "${importer}")` : '';
  throw new InvalidSchemaError(
    `import "${path}"${by} is not resolved: register that file and pass it in "references" with name "${path}"`,
    path,
  );
}
