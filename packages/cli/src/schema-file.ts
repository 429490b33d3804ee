import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join, relative } from 'node:path';
import { UsageError } from './cli-config.ts';

export interface SchemaFile {
  schemaType: 'AVRO' | 'PROTOBUF' | 'JSON';
  schema: string;
  /** Protobuf imports found beside the file, to register first as references. */
  imports: Array<{ name: string; schema: string }>;
}

const TYPES: Record<string, SchemaFile['schemaType']> = {
  '.avsc': 'AVRO',
  '.proto': 'PROTOBUF',
  '.json': 'JSON',
};

/** Reads an .avsc, .proto (its imports from `importDir`, default the file's folder) or .json file. */
export async function readSchemaFile(path: string, importDir?: string): Promise<SchemaFile> {
  const schemaType = TYPES[extname(path)];
  if (!schemaType) throw new UsageError(`${path}: expected .avsc, .proto or .json`);
  let schema: string;
  try {
    schema = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const imports: SchemaFile['imports'] = [];
  if (schemaType === 'PROTOBUF') {
    const dir = importDir ?? dirname(path);
    const names = [...schema.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)].map(
      (m) => m[1] as string,
    );
    const available = new Set(
      (await readdir(dir, { recursive: true })).map((f) => relative(dir, join(dir, f))),
    );
    for (const name of names) {
      if (name.startsWith('google/protobuf/') || name.startsWith('confluent/')) continue;
      if (!available.has(name)) throw new UsageError(`${path} imports ${name}, which is not under ${dir}`);
      imports.push({ name, schema: await readFile(join(dir, name), 'utf8') });
    }
  }
  return {
    schemaType,
    schema: schemaType === 'AVRO' || schemaType === 'JSON' ? JSON.stringify(JSON.parse(schema)) : schema,
    imports,
  };
}
