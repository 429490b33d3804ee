import type { LoadedSchema } from './proto-imports.ts';
import type { ProtoFile } from './proto-ast.ts';
import type { TypeTable } from './type-table.ts';

/** `ParsedSchema.model` for Protobuf: the parsed file, its imports and their types. */
export class ProtobufModel {
  readonly schema: LoadedSchema;
  readonly table: TypeTable;

  constructor(schema: LoadedSchema, table: TypeTable) {
    this.schema = schema;
    this.table = table;
  }

  get file(): ProtoFile {
    return this.schema.root.file;
  }
}
