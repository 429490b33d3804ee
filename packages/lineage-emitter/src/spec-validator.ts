import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CORE_SCHEMA, FACET_SPECS } from './spec-versions.ts';
import type { FacetLevel, FacetName } from './spec-versions.ts';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const SPEC_DIR = new URL('../spec/openlineage/', import.meta.url);

export interface SpecIssue {
  /** JSON pointer into the event. */
  pointer: string;
  /** The JSON Schema keyword that failed (`required`, `format`, ...). */
  rule: string;
  message: string;
  /** The facet schema that failed, when it was a facet's. */
  facet?: FacetName;
}

export interface SpecValidator {
  /** Validates the core event and every standard facet it carries, by key and place. */
  validate(event: unknown): SpecIssue[];
}

/**
 * Validates events against the vendored OpenLineage 2-0-2 JSON Schemas (core and standard facets), with
 * Ajv's draft 2020-12 mode and formats (uri, uuid, date-time). Compiling takes tens of milliseconds: make
 * one and keep it.
 */
export function createSpecValidator(): SpecValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(readJson('OpenLineage.json'));
  for (const file of readdirSync(new URL('facets/', SPEC_DIR))) {
    if (file.endsWith('.json')) ajv.addSchema(readJson(`facets/${file}`));
  }
  const core = ajv.getSchema(CORE_SCHEMA) as ValidateFunction;
  const facetValidators = new Map<string, { name: FacetName; validate: ValidateFunction }>();
  for (const [name, spec] of Object.entries(FACET_SPECS) as [FacetName, (typeof FACET_SPECS)[FacetName]][]) {
    const id = `https://openlineage.io/spec/facets/${spec.version}/${name}.json`;
    const validate = ajv.getSchema(id);
    if (!validate) throw new Error(`facet schema ${id} is not vendored`);
    facetValidators.set(`${spec.level}:${spec.key}`, { name, validate });
  }

  const checkFacets = (issues: SpecIssue[], facets: unknown, level: FacetLevel, base: string): void => {
    if (typeof facets !== 'object' || facets === null) return;
    for (const [key, facet] of Object.entries(facets as Record<string, unknown>)) {
      const known = facetValidators.get(`${level}:${key}`);
      if (!known) continue;
      if (!known.validate({ [key]: facet }))
        issues.push(...toIssues(known.validate.errors, base, known.name));
    }
  };

  return {
    validate(event) {
      const issues: SpecIssue[] = [];
      if (!core(event)) issues.push(...toIssues(core.errors, ''));
      if (typeof event !== 'object' || event === null) return issues;
      const e = event as Record<string, unknown>;
      checkFacets(issues, field(e.run, 'facets'), 'run', '/run/facets');
      checkFacets(issues, field(e.job, 'facets'), 'job', '/job/facets');
      checkFacets(issues, field(e.dataset, 'facets'), 'dataset', '/dataset/facets');
      for (const side of ['inputs', 'outputs'] as const) {
        const list = e[side];
        if (!Array.isArray(list)) continue;
        list.forEach((dataset: unknown, i) => {
          checkFacets(issues, field(dataset, 'facets'), 'dataset', `/${side}/${i}/facets`);
          if (side === 'inputs')
            checkFacets(issues, field(dataset, 'inputFacets'), 'input', `/inputs/${i}/inputFacets`);
          else checkFacets(issues, field(dataset, 'outputFacets'), 'output', `/outputs/${i}/outputFacets`);
        });
      }
      return issues;
    },
  };
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(path, SPEC_DIR), 'utf8')) as Record<string, unknown>;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function toIssues(errors: ErrorObject[] | null | undefined, base: string, facet?: FacetName): SpecIssue[] {
  return (errors ?? []).map((e) => ({
    // Facet schemas validate `{ key: facet }`, so their paths already start with the facet's key.
    pointer: `${base}${e.instancePath}`,
    rule: e.keyword,
    message: e.message ?? e.keyword,
    ...(facet ? { facet } : {}),
  }));
}
