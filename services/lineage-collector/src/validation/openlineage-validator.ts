import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Issue } from '@data-spine/contracts';
import { escapePointerToken } from '@data-spine/contracts';
import { facetVersionOf, loadCoreSchema, loadFacetSchemas } from './spec-files.ts';
import type { FacetLocation } from './spec-files.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const CORE_ID = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';

export type EventKind = 'run' | 'job' | 'dataset';

export type Validation = { ok: true; kind: EventKind; warnings: Issue[] } | { ok: false; issues: Issue[] };

interface FacetCheck {
  version: string;
  validate: ValidateFunction;
}

const URI_REFERENCE = /^[^\s]*$/;

function toIssues(errors: readonly ErrorObject[] | null | undefined, prefix = ''): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const e of errors ?? []) {
    let pointer = prefix + e.instancePath;
    if (e.keyword === 'required') {
      pointer += '/' + escapePointerToken(String((e.params as { missingProperty: string }).missingProperty));
    }
    const key = `${pointer} ${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ pointer, rule: e.keyword, message: `${e.message ?? e.keyword} (${e.schemaPath})` });
  }
  return issues;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates events against the vendored OpenLineage 2-0-2 JSON Schema, compiled once. The core is strict;
 * known facets are checked by their key against the vendored facet schema. A facet whose `_schemaURL` names
 * another version than the vendored one is checked too, but what fails is reported as a warning and the
 * facet is kept (older producers send older facet versions). Unknown and custom facets are kept unchecked
 * beyond the core's BaseFacet rules.
 *
 * Two deliberate tolerances, both seen in real integrations' events: `format: uuid` accepts any non-empty
 * string (runIds that are not UUIDs), and `format: uri` accepts any URI reference without spaces
 * (`producer: "producer"`).
 */
export class OpenLineageValidator {
  readonly #byKind: Record<EventKind, ValidateFunction>;
  readonly #root: ValidateFunction;
  readonly #facets = new Map<string, FacetCheck>();

  constructor() {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    ajv.addFormat('uuid', { type: 'string', validate: (s: string) => s.length > 0 && s.length <= 512 });
    ajv.addFormat('uri', { type: 'string', validate: (s: string) => s.length > 0 && URI_REFERENCE.test(s) });
    ajv.addSchema(loadCoreSchema());
    const facets = loadFacetSchemas();
    for (const f of facets) ajv.addSchema(f.schema);
    this.#root = ajv.getSchema(CORE_ID)!;
    this.#byKind = {
      run: ajv.getSchema(`${CORE_ID}#/$defs/RunEvent`)!,
      job: ajv.getSchema(`${CORE_ID}#/$defs/JobEvent`)!,
      dataset: ajv.getSchema(`${CORE_ID}#/$defs/DatasetEvent`)!,
    };
    for (const f of facets) {
      const validate = ajv.getSchema(f.id)!;
      for (const key of f.keys) this.#facets.set(`${f.location}:${key}`, { version: f.version, validate });
    }
  }

  /** The facet keys checked per location, for the README and tests. */
  knownFacets(): string[] {
    return [...this.#facets.keys()].sort();
  }

  validate(event: unknown): Validation {
    if (!isObject(event)) {
      return { ok: false, issues: [{ pointer: '', rule: 'type', message: 'an event is a JSON object' }] };
    }
    const kind: EventKind = 'run' in event ? 'run' : 'dataset' in event ? 'dataset' : 'job';
    const validateKind = this.#byKind[kind];
    if (!validateKind(event)) return { ok: false, issues: toIssues(validateKind.errors) };
    if (!this.#root(event)) {
      return {
        ok: false,
        issues: [
          {
            pointer: '',
            rule: 'oneOf',
            message: 'the event must match exactly one of RunEvent, DatasetEvent, JobEvent',
          },
        ],
      };
    }
    const issues: Issue[] = [];
    const warnings: Issue[] = [];
    const check = (facets: unknown, location: FacetLocation, pointer: string) => {
      if (!isObject(facets)) return;
      for (const [key, facet] of Object.entries(facets)) {
        if (!isObject(facet) || facet._deleted === true) continue;
        const known = this.#facets.get(`${location}:${key}`);
        if (!known || known.validate({ [key]: facet })) continue;
        const found = toIssues(known.validate.errors, pointer);
        const sent = typeof facet._schemaURL === 'string' ? facetVersionOf(facet._schemaURL) : undefined;
        if (sent !== undefined && sent !== known.version) warnings.push(...found);
        else issues.push(...found);
      }
    };
    const datasets = (list: unknown, pointer: string, io: 'inputDataset' | 'outputDataset') => {
      if (!Array.isArray(list)) return;
      list.forEach((d: unknown, i) => {
        if (!isObject(d)) return;
        check(d.facets, 'dataset', `${pointer}/${i}/facets`);
        if (io === 'inputDataset') check(d.inputFacets, io, `${pointer}/${i}/inputFacets`);
        if (io === 'outputDataset') check(d.outputFacets, io, `${pointer}/${i}/outputFacets`);
      });
    };
    if (isObject(event.run)) check(event.run.facets, 'run', '/run/facets');
    if (isObject(event.job)) check(event.job.facets, 'job', '/job/facets');
    datasets(event.inputs, '/inputs', 'inputDataset');
    datasets(event.outputs, '/outputs', 'outputDataset');
    if (isObject(event.dataset)) check(event.dataset.facets, 'dataset', '/dataset/facets');
    return issues.length > 0 ? { ok: false, issues } : { ok: true, kind, warnings };
  }
}
