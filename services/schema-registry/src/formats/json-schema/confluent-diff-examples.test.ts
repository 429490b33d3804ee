import { describe, expect, it } from 'vitest';
import {
  DIFF_2020_12_EXAMPLES,
  DIFF_COMBINED_SCHEMA_EXAMPLES,
  DIFF_SCHEMA_EXAMPLES,
} from './confluent-diff-examples.fixture.ts';
import type { DiffExample } from './confluent-diff-examples.fixture.ts';
import { isCompatibleChange } from './diff/difference-type.ts';
import { diffSchemas } from './diff/schema-diff.ts';
import { draftOf } from './drafts.ts';
import { jsonSchemaFormat } from './index.ts';
import { diffPath } from './json-pointer.ts';
import { SchemaDocuments } from './schema-documents.ts';
import { loadSchemas } from './schema-loader.ts';

// Confluent's SchemaDiffTest loads the examples with everit's default dialect, draft-04.
const load = (schema: unknown) =>
  loadSchemas(new SchemaDocuments(schema, draftOf(schema, 'draft-04'), [])).root;
const parse = (schema: unknown) => jsonSchemaFormat.parse(JSON.stringify(schema), [], { normalize: false });

const tables: [string, readonly DiffExample[], number][] = [
  ['diff-schema-examples.json', DIFF_SCHEMA_EXAMPLES, 104],
  ['diff-combined-schema-examples.json', DIFF_COMBINED_SCHEMA_EXAMPLES, 28],
  ['diff-schema-examples-2020-12.json (keywords that differ)', DIFF_2020_12_EXAMPLES, 26],
];

describe.each(tables)('Confluent %s', (_file, examples, count) => {
  it(`has the ${count} transcribed cases`, () => {
    expect(examples).toHaveLength(count);
  });

  it.each(examples)('$description', (example) => {
    const differences = diffSchemas(load(example.original), load(example.update));
    const changes = differences.map((d) => `${d.type} ${diffPath(d.segments)}`);
    expect([...changes].sort()).toEqual([...example.changes].sort());
    expect(differences.every((d) => isCompatibleChange(d.type))).toBe(example.compatible);

    // The same verdict through the format: BACKWARD reads old data (original) with the new schema (update).
    const issues = jsonSchemaFormat.checkCompatibility(parse(example.update), parse(example.original));
    expect(issues.length === 0).toBe(example.compatible);
  });
});
