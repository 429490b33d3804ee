import { dirname, join } from 'node:path';
import { UsageError } from '../cli-config.ts';
import { callRegistry } from '../registry-client.ts';
import type { RegistryTarget } from '../registry-client.ts';
import { readSchemaFile } from '../schema-file.ts';
import type { SchemaFile } from '../schema-file.ts';
import { registryMessage } from './schema-exit-codes.ts';

/** A .proto import, each a subject named after its import path. */
interface ProtoImport {
  name: string;
  schema: string;
  /** The imports it has itself (their names). */
  imports: string[];
}

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/**
 * - `register`: publish registers each import (a new version only when it changed) and references it;
 * - `registered`: commands that promise not to write (validate, publish --dry-run, lint, diff --file)
 *   reference the version already registered with the same text, and fail naming an import that has none.
 */
export type ImportMode = 'register' | 'registered';

/** Where `readSchemaFile` looks for a file's imports. */
export const importDirOf = (file: string, flag: string | undefined): string => flag ?? dirname(file);

/**
 * Every import the file reaches, imports of imports included, each after the ones it imports. An import
 * cycle (which protoc refuses too) is a usage error naming it.
 */
async function importClosure(file: SchemaFile, importDir: string): Promise<ProtoImport[]> {
  const ordered: ProtoImport[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = async (imp: { name: string; schema: string }, via: readonly string[]): Promise<void> => {
    const seen = state.get(imp.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new UsageError(`import cycle: ${[...via, imp.name].join(' -> ')}`);
    state.set(imp.name, 'visiting');
    const own = await readSchemaFile(join(importDir, imp.name), importDir);
    for (const dep of own.imports) await visit(dep, [...via, imp.name]);
    state.set(imp.name, 'done');
    ordered.push({ name: imp.name, schema: imp.schema, imports: own.imports.map((i) => i.name) });
  };
  for (const imp of file.imports) await visit(imp, []);
  return ordered;
}

/** The version of `subject` that holds exactly `body` (Confluent's lookup), or the answer saying why not. */
type Lookup = { found: true; version: number } | { found: false; code?: number; message: string };

async function lookup(target: RegistryTarget, subject: string, body: unknown): Promise<Lookup> {
  const res = await callRegistry(target, 'POST', `/subjects/${encodeURIComponent(subject)}`, body);
  if (res.status === 200) return { found: true, version: (res.body as { version: number }).version };
  const code = (res.body as { error_code?: number }).error_code;
  return { found: false, ...(code === undefined ? {} : { code }), message: registryMessage(res.body) };
}

async function registeredVersion(target: RegistryTarget, imp: ProtoImport, body: unknown): Promise<number> {
  const found = await lookup(target, imp.name, body);
  if (found.found) return found.version;
  const publishFirst =
    'this command registers nothing; publish the import first (spine schema publish registers imports)';
  if (found.code === 40401)
    throw new UsageError(`import ${imp.name} is not registered: no subject ${imp.name}; ${publishFirst}`);
  if (found.code === 40403)
    throw new UsageError(
      `import ${imp.name} is not registered as it is here: no version of subject ${imp.name} has this text; ${publishFirst}`,
    );
  throw new UsageError(`looking up import ${imp.name}: ${found.message}`);
}

async function registerImport(target: RegistryTarget, imp: ProtoImport, body: unknown): Promise<number> {
  const res = await callRegistry(target, 'POST', `/subjects/${encodeURIComponent(imp.name)}/versions`, body);
  if (res.status !== 200)
    throw new UsageError(`registering import ${imp.name}: ${registryMessage(res.body)}`);
  const found = await lookup(target, imp.name, body);
  if (!found.found) throw new UsageError(`registered import ${imp.name}, then: ${found.message}`);
  return found.version;
}

/**
 * The references a .proto file's body needs: one per direct import, each to the version of its subject that
 * holds the import's text, its own imports resolved first the same way.
 */
export async function protoReferences(
  target: RegistryTarget,
  file: SchemaFile,
  importDir: string,
  mode: ImportMode,
): Promise<SchemaReference[]> {
  const versions = new Map<string, number>();
  const referencesTo = (names: readonly string[]): SchemaReference[] =>
    names.map((name) => ({ name, subject: name, version: versions.get(name) as number }));
  for (const imp of await importClosure(file, importDir)) {
    const body = { schemaType: 'PROTOBUF', schema: imp.schema, references: referencesTo(imp.imports) };
    versions.set(
      imp.name,
      mode === 'register'
        ? await registerImport(target, imp, body)
        : await registeredVersion(target, imp, body),
    );
  }
  return referencesTo(file.imports.map((i) => i.name));
}
