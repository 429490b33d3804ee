import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORE_SCHEMA, FACET_SPECS, facetSchemaUrl } from './spec-versions.ts';
import type { FacetName } from './spec-versions.ts';

const dir = new URL('../spec/openlineage/', import.meta.url);
const read = (path: string) =>
  JSON.parse(readFileSync(new URL(path, dir), 'utf8')) as {
    $id: string;
    $defs: Record<string, { allOf?: { $ref?: string }[] }>;
    properties: Record<string, unknown>;
  };

describe('spec versions', () => {
  it('the core schema is the vendored 2-0-2', () => {
    expect(read('OpenLineage.json').$id).toBe(CORE_SCHEMA);
  });

  it.each(Object.keys(FACET_SPECS) as FacetName[])(
    '%s: version, key, $defs entry and level match its file',
    (name) => {
      const spec = FACET_SPECS[name];
      const file = read(`facets/${name}.json`);
      expect(file.$id).toBe(`https://openlineage.io/spec/facets/${spec.version}/${name}.json`);
      expect(Object.keys(file.properties)).toEqual([spec.key]);
      expect(file.$defs[name]).toBeDefined();
      expect(facetSchemaUrl(name)).toBe(`${file.$id}#/$defs/${name}`);
      const base = file.$defs[name]?.allOf?.[0]?.$ref ?? '';
      const expected = {
        run: 'RunFacet',
        job: 'JobFacet',
        dataset: 'DatasetFacet',
        input: 'InputDatasetFacet',
        output: 'OutputDatasetFacet',
      }[spec.level];
      expect(base).toBe(`${CORE_SCHEMA}#/$defs/${expected}`);
    },
  );
});
