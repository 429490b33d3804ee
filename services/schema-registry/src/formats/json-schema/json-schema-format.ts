import type { CompatibilityIssue, ParsedSchema, ResolvedReference, SchemaFormat } from '../schema-format.ts';
import { InvalidSchemaError } from '../schema-format.ts';
import { canonicalJson } from './canonical-json.ts';
import { ComparisonLimitError } from './diff/diff-context.ts';
import { describeDifference } from './diff/difference-message.ts';
import { isCompatibleChange } from './diff/difference-type.ts';
import { diffSchemas } from './diff/schema-diff.ts';
import { draftOf } from './drafts.ts';
import { diffPath, isObject } from './json-pointer.ts';
import { parseJsonText, toValue } from './json-text.ts';
import { validateAgainstMetaSchema } from './meta-schema-validation.ts';
import { SchemaDocuments } from './schema-documents.ts';
import { outlineSchema } from './schema-fields.ts';
import { loadSchemas } from './schema-loader.ts';
import type { RefNode } from './schema-loader.ts';
import type { SchemaNode } from './schema-model.ts';

/** What `ParsedSchema.model` holds for JSON Schema. */
export interface JsonSchemaModel {
  readonly format: 'JSON';
  readonly root: SchemaNode;
}

/**
 * JSON Schema as Confluent's json-schema-provider treats it: parsed and validated per its `$schema`
 * (draft-07 when absent), `$ref`s resolved among the given references, identity from the schema text,
 * and compatibility decided by Confluent's diff rules.
 */
export const jsonSchemaFormat: SchemaFormat = {
  type: 'JSON',

  parse(
    text: string,
    references: readonly ResolvedReference[],
    options: { normalize: boolean },
  ): ParsedSchema {
    const tree = parseJsonText(text);
    const value = toValue(tree);
    if (!isObject(value) && typeof value !== 'boolean') {
      throw new InvalidSchemaError('a JSON schema must be a JSON object or a boolean', '#');
    }
    const draft = draftOf(value);
    validateAgainstMetaSchema(value, draft);
    const documents = new SchemaDocuments(value, draft, references);
    const { root, refs } = loadSchemas(documents);
    const { fields, namedTypes } = outlineSchema(root);
    const model: JsonSchemaModel = { format: 'JSON', root };
    return {
      type: 'JSON',
      raw: text,
      canonical: canonicalJson(tree, options.normalize),
      fields,
      namedTypes,
      referencedNames: referencedNames(root, refs),
      model,
    };
  },

  checkCompatibility(reader: ParsedSchema, writer: ParsedSchema): CompatibilityIssue[] {
    const readerModel = modelOf(reader);
    const writerModel = modelOf(writer);
    if (!readerModel || !writerModel) {
      return [
        { path: '#/', rule: 'SCHEMA_TYPE_CHANGED', message: 'Incompatible because of different schema type' },
      ];
    }
    if (readerModel.root === writerModel.root) return [];
    try {
      // Confluent's diff runs from the original (the writer) to the update (the reader).
      return diffSchemas(writerModel.root, readerModel.root)
        .filter((d) => !isCompatibleChange(d.type))
        .map((d) => {
          const path = diffPath(d.segments);
          return { path, rule: d.type, message: describeDifference(d.type, path) };
        });
    } catch (err) {
      if (!(err instanceof ComparisonLimitError)) throw err;
      const rule = err.limit === 'depth' ? 'COMPARISON_TOO_DEEP' : 'COMPARISON_TOO_COMPLEX';
      return [
        {
          path: '#/',
          rule,
          message: `${err.message}, so they cannot be shown compatible; simplify the schema`,
        },
      ];
    }
  },
};

function modelOf(schema: ParsedSchema): JsonSchemaModel | undefined {
  const model = schema.model;
  return isObject(model) && model.format === 'JSON' && isObject(model.root)
    ? (model as unknown as JsonSchemaModel)
    : undefined;
}

/** The registered schemas this one's own `$ref`s name (the part before `#`), in order of appearance. */
function referencedNames(root: SchemaNode, refs: readonly RefNode[]): string[] {
  const names = refs
    .filter((r) => r.external && r.documentUri === root.documentUri)
    .map((r) => r.ref.split('#')[0]!)
    .filter((name) => name !== '');
  return [...new Set(names)];
}
