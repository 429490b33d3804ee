import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPEC_DIR = fileURLToPath(new URL('../../spec/', import.meta.url));

/** Where a facet sits in an event, which decides the facet schemas its key is checked against. */
export type FacetLocation = 'run' | 'job' | 'dataset' | 'inputDataset' | 'outputDataset';

export interface FacetSchemaFile {
  file: string;
  id: string;
  /** `1-0-1` in `.../facets/1-0-1/X.json`. */
  version: string;
  location: FacetLocation;
  keys: string[];
  schema: Record<string, unknown>;
}

function locationOf(file: string): FacetLocation | undefined {
  if (file.endsWith('InputDatasetFacet.json')) return 'inputDataset';
  if (file.endsWith('OutputDatasetFacet.json')) return 'outputDataset';
  if (file.endsWith('DatasetFacet.json') || file === 'LineageFacet.json') return 'dataset';
  if (file.endsWith('RunFacet.json')) return 'run';
  if (file.endsWith('JobFacet.json')) return 'job';
  return undefined;
}

export function facetVersionOf(url: string): string | undefined {
  return /\/facets\/(\d+-\d+-\d+)\//.exec(url)?.[1];
}

export function loadCoreSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(`${SPEC_DIR}OpenLineage.json`, 'utf8')) as Record<string, unknown>;
}

export function loadFacetSchemas(): FacetSchemaFile[] {
  const out: FacetSchemaFile[] = [];
  for (const file of readdirSync(`${SPEC_DIR}facets`).sort()) {
    if (!file.endsWith('.json')) continue;
    const location = locationOf(file);
    if (!location) continue;
    const schema = JSON.parse(readFileSync(`${SPEC_DIR}facets/${file}`, 'utf8')) as Record<string, unknown>;
    const id = String(schema.$id);
    const props = (schema.properties ?? {}) as Record<string, unknown>;
    out.push({
      file,
      id,
      version: facetVersionOf(id) ?? '0-0-0',
      location,
      keys: Object.keys(props),
      schema,
    });
  }
  return out;
}
