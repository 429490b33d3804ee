import { describe, expect, it } from 'vitest';
import type { ResolvedReference } from '../../schema-format.ts';
import { DIFF_EXAMPLES } from '../fixtures/confluent-diff-examples.ts';
import type { ExampleReference } from '../fixtures/confluent-diff-examples.ts';
import { protobufFormat } from '../protobuf-format.ts';
import { ProtobufModel } from '../protobuf-model.ts';
import { diffSchemas } from './schema-diff.ts';

const resolved = (refs: ExampleReference[] = []): ResolvedReference[] =>
  refs.map((r) => ({ ...r, references: [] }));

function parse(text: string, refs?: ExampleReference[]) {
  const parsed = protobufFormat.parse(text, resolved(refs), { normalize: false });
  if (!(parsed.model instanceof ProtobufModel)) throw new Error('not a Protobuf model');
  return { parsed, model: parsed.model };
}

describe("Confluent's diff-schema-examples", () => {
  for (const example of DIFF_EXAMPLES) {
    it(example.description, () => {
      const original = parse(example.original, example.originalReferences);
      const update = parse(example.update, example.updateReferences);
      // Confluent lists them in hash-map order; the set is what its test pins.
      const changes = diffSchemas(original.model, update.model).map((d) => `${d.type} ${d.path}`);
      expect(changes.sort()).toEqual([...example.changes].sort());
      // BACKWARD: the update reads what the original wrote.
      const issues = protobufFormat.checkCompatibility(update.parsed, original.parsed);
      expect(issues.length === 0).toBe(example.compatible);
    });
  }
});
