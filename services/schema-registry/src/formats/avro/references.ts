import type { ResolvedReference } from '../schema-format.ts';
import { InvalidSchemaError } from '../schema-format.ts';

/** How deep references may nest before we stop following them (the registry refuses cycles itself). */
const MAX_DEPTH = 64;

/**
 * The referenced schemas in the order Confluent's registry hands them to Avro's parser: each reference's
 * own references first (depth first), then the reference; a reference name met again (a diamond) is parsed
 * once. Every referenced schema defines named types the next ones and the schema itself can use by name.
 */
export function flattenReferences(references: readonly ResolvedReference[]): ResolvedReference[] {
  const out: ResolvedReference[] = [];
  const seen = new Set<string>();
  const visit = (refs: readonly ResolvedReference[], depth: number): void => {
    if (depth > MAX_DEPTH)
      throw new InvalidSchemaError(`references nest deeper than ${MAX_DEPTH} levels`, '/');
    for (const ref of refs) {
      if (seen.has(ref.name)) continue;
      seen.add(ref.name);
      visit(ref.references, depth + 1);
      out.push(ref);
    }
  };
  visit(references, 0);
  return out;
}
