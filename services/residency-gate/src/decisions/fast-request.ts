import { MAX_FIELDS } from '../contract/decision-contract.ts';
import type { DecisionRequest, FieldInput } from '../contract/decision-contract.ts';

/**
 * A hand-written check of the common, valid decision request, for the hot path: zod's DecisionRequest
 * stays the contract, and is what runs whenever this returns null (any doubt: an unknown or missing key,
 * a default to apply, anything invalid), so errors and their pointers are zod's. When this accepts, its
 * value equals what zod would return (a property test checks both agree on random and mutated input).
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `Name` of the contract: 1..max UTF-16 units, no control characters. */
const isName = (v: unknown, max = 512): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= max && !CONTROL.test(v);

/** Whether every own key of `o` is one of `allowed` (zod strips others; we leave those to zod). */
function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return true;
}

const SOURCE_KEYS = ['dataset', 'region'] as const;
const SINK_KEYS = ['id', 'region', 'ttl'] as const;
const ROUTE_KEYS = ['source', 'sink', 'purpose'] as const;
const FIELD_KEYS = ['name', 'tags'] as const;
const REQUEST_KEYS = ['route', 'classification', 'fields', 'subject'] as const;

function fields(v: unknown): FieldInput[] | null {
  if (!Array.isArray(v) || v.length > MAX_FIELDS) return null;
  const out: FieldInput[] = new Array<FieldInput>(v.length);
  for (let i = 0; i < v.length; i++) {
    const f: unknown = v[i];
    if (!isObject(f) || !onlyKeys(f, FIELD_KEYS) || !isName(f.name)) return null;
    const tags = f.tags;
    // A missing `tags` takes zod's default: left to zod.
    if (!Array.isArray(tags) || tags.length > 64) return null;
    for (let t = 0; t < tags.length; t++) if (!isName(tags[t], 128)) return null;
    out[i] = { name: f.name, tags: tags.slice() as string[] };
  }
  return out;
}

/** The request as zod would parse it, or null: then zod decides (and reports what is wrong). */
export function fastDecisionRequest(body: unknown): DecisionRequest | null {
  if (!isObject(body) || !onlyKeys(body, REQUEST_KEYS)) return null;
  const route = body.route;
  if (!isObject(route) || !onlyKeys(route, ROUTE_KEYS)) return null;
  const source = route.source;
  const sink = route.sink;
  if (!isObject(source) || !onlyKeys(source, SOURCE_KEYS) || !isObject(sink) || !onlyKeys(sink, SINK_KEYS))
    return null;
  const dataset = source.dataset;
  if (typeof dataset !== 'string' || dataset.length < 1 || dataset.length > 2048) return null;
  if (!isName(source.region) || !isName(sink.id) || !isName(sink.region) || !isName(route.purpose))
    return null;
  const ttl = sink.ttl;
  if ('ttl' in sink && (typeof ttl !== 'string' || ttl.length > 64)) return null;
  const out: DecisionRequest = {
    route: {
      source: { dataset, region: source.region },
      sink:
        ttl === undefined
          ? { id: sink.id, region: sink.region }
          : { id: sink.id, region: sink.region, ttl: ttl as string },
      purpose: route.purpose,
    },
  };
  if ('classification' in body) {
    if (!isName(body.classification)) return null;
    out.classification = body.classification;
  }
  if ('fields' in body) {
    const f = fields(body.fields);
    if (f === null) return null;
    out.fields = f;
  }
  if ('subject' in body) {
    if (!isName(body.subject)) return null;
    out.subject = body.subject;
  }
  return out;
}
