import type { CompatibilityIssue, ParsedSchema, ResolvedReference, SchemaFormat } from '../schema-format.ts';
import { InvalidSchemaError } from '../schema-format.ts';
import { AvroModel } from './avro-model.ts';
import { confluentNormalizedForm } from './canonical-form.ts';
import { describeIncompatibility } from './compatibility-messages.ts';
import {
  AmbiguousFieldError,
  CompatibilityChecker,
  ComparisonTooDeepError,
  locationOf,
} from './compatibility.ts';
import { readJson } from './json-reader.ts';
import { flattenReferences } from './references.ts';
import { SchemaParser } from './schema-parser.ts';
import { outlineSchema } from './schema-outline.ts';
import { avroSchemaString } from './schema-text.ts';

/**
 * Avro as Confluent's registry handles it: Avro's Java parser rules (strict names, validated defaults,
 * named types from references), Avro's `Schema.toString()` (or Confluent's normalized form) for identity,
 * and Apache Avro's `SchemaCompatibility` for compatibility.
 */
export const avroFormat: SchemaFormat = {
  type: 'AVRO',

  parse(
    text: string,
    references: readonly ResolvedReference[],
    options: { normalize: boolean },
  ): ParsedSchema {
    try {
      const parser = new SchemaParser();
      for (const ref of flattenReferences(references)) {
        try {
          parser.parseDocument(readJson(ref.schema), ref.name);
        } catch (err) {
          if (!(err instanceof InvalidSchemaError)) throw err;
          throw new InvalidSchemaError(
            `reference '${ref.name}' (${ref.subject} version ${ref.version}): ${err.message}`,
            err.path,
            { cause: err },
          );
        }
      }
      const tree = readJson(text);
      const root = parser.parseDocument(tree, undefined);
      const fromReferences = new Set<string>();
      for (const t of parser.names.values()) if (t.definedIn !== undefined) fromReferences.add(t.fullName);
      return {
        type: 'AVRO',
        raw: text,
        // Without normalize Confluent compares `canonicalString()` (Avro's Schema.toString()), so `"string"`
        // and `{"type":"string"}`, or two key orders, are one schema and get one id.
        canonical: options.normalize
          ? confluentNormalizedForm(root, fromReferences)
          : avroSchemaString(root, fromReferences),
        ...outlineSchema(root),
        referencedNames: [...parser.referenced],
        model: new AvroModel(root, parser.names),
      };
    } catch (err) {
      if (err instanceof RangeError) {
        throw new InvalidSchemaError('the schema is too deeply nested or too large to process', '/', {
          cause: err,
        });
      }
      throw err;
    }
  },

  checkCompatibility(reader: ParsedSchema, writer: ParsedSchema): CompatibilityIssue[] {
    if (!(reader.model instanceof AvroModel) || !(writer.model instanceof AvroModel)) {
      return [
        { path: '/', rule: 'SCHEMA_TYPE_CHANGED', message: 'Incompatible because of different schema type' },
      ];
    }
    if (reader.model === writer.model) return [];
    try {
      return new CompatibilityChecker().check(reader.model.root, writer.model.root).map((i) => {
        const path = locationOf(i);
        return { path, rule: i.type, message: describeIncompatibility(i.type, path, i.message) };
      });
    } catch (err) {
      if (err instanceof AmbiguousFieldError) {
        return [
          {
            path: err.location,
            rule: 'READER_FIELD_MATCHES_MULTIPLE_WRITER_FIELDS',
            message: `READER_FIELD_MATCHES_MULTIPLE_WRITER_FIELDS at '${err.location}': ${err.message}; give the field aliases that match one writer field`,
          },
        ];
      }
      if (err instanceof ComparisonTooDeepError || err instanceof RangeError) {
        return [
          {
            path: '/',
            rule: 'COMPARISON_TOO_DEEP',
            message:
              "COMPARISON_TOO_DEEP at '/': the schemas nest named types too deeply to be shown compatible; simplify them",
          },
        ];
      }
      throw err;
    }
  },
};

/**
 * Confluent's `AvroSchema.canonicalString()` for a parsed Avro schema: Avro's `Schema.toString()`, the text
 * Confluent stores and serves and, without `normalize`, compares; it is the identity text here too.
 */
export function avroSchemaText(parsed: ParsedSchema): string {
  if (!(parsed.model instanceof AvroModel)) throw new TypeError('not an Avro schema');
  const known = new Set<string>();
  for (const t of parsed.model.names.values()) if (t.definedIn !== undefined) known.add(t.fullName);
  return avroSchemaString(parsed.model.root, known);
}
