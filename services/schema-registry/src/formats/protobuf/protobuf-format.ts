import type { CompatibilityIssue, ParsedSchema, SchemaFormat } from '../schema-format.ts';
import { COMPATIBLE_CHANGES, FIXES } from './compatibility/difference.ts';
import { diffSchemas } from './compatibility/schema-diff.ts';
import { loadSchema } from './proto-imports.ts';
import { printProto } from './proto-printer.ts';
import { validateSchema } from './proto-validator.ts';
import { ProtobufModel } from './protobuf-model.ts';
import { schemaFacts } from './schema-facts.ts';
import { TypeTable } from './type-table.ts';

/**
 * Protobuf as Confluent's registry handles it: `.proto` text with imports resolved from references (or
 * built in), Confluent's canonical text for identity, and Confluent's Protobuf compatibility rules.
 */
export const protobufFormat: SchemaFormat = {
  type: 'PROTOBUF',

  parse(text, references, options): ParsedSchema {
    const schema = loadSchema(text, references);
    const table = new TypeTable([schema.root, ...schema.dependencies]);
    validateSchema(schema, table);
    return {
      type: 'PROTOBUF',
      raw: text,
      canonical: printProto(schema.root.file, table, options.normalize),
      ...schemaFacts(schema.root.file),
      model: new ProtobufModel(schema, table),
    };
  },

  checkCompatibility(reader, writer): CompatibilityIssue[] {
    if (!(reader.model instanceof ProtobufModel) || !(writer.model instanceof ProtobufModel)) {
      return [
        { path: '#/', rule: 'SCHEMA_TYPE_CHANGED', message: 'Incompatible because of different schema type' },
      ];
    }
    // Confluent: reader.isBackwardCompatible(writer) = SchemaDiff.compare(writer, reader).
    const differences = diffSchemas(writer.model, reader.model);
    const seen = new Set<string>();
    const issues: CompatibilityIssue[] = [];
    for (const d of differences) {
      if (COMPATIBLE_CHANGES.has(d.type)) continue;
      const key = `${d.type} ${d.path} ${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const fix = FIXES[d.type];
      issues.push({ path: d.path, rule: d.type, message: fix ? `${d.message}. ${fix}` : d.message });
    }
    return issues;
  },
};
