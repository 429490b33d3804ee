import { str } from '../jcs/canonical-json.ts';

/** The audit's view of a decision input (names and tags only). */
export interface AuditInput {
  route: {
    source: { dataset: string; region: string };
    sink: { id: string; region: string; ttl?: string | undefined };
    purpose: string;
  };
  classification: string;
  fields: ReadonlyArray<{ name: string; tags: readonly string[] }>;
  subject?: string | undefined;
}

/**
 * The RFC 8785 form of the audit input, written out with its members already in order: the generic
 * canonicalizer sorts keys and walks every value, which is most of an append's cost. Tests check it
 * equals `canonicalize` on random inputs.
 */
export function canonicalAuditInput(i: AuditInput): string {
  let fields = '[';
  for (let k = 0; k < i.fields.length; k++) {
    const f = i.fields[k] as { name: string; tags: readonly string[] };
    let tags = '[';
    for (let t = 0; t < f.tags.length; t++) tags += (t === 0 ? '' : ',') + str(f.tags[t] as string);
    fields += `${k === 0 ? '' : ','}{"name":${str(f.name)},"tags":${tags}]}`;
  }
  fields += ']';
  const r = i.route;
  const sink = `{"id":${str(r.sink.id)},"region":${str(r.sink.region)}${r.sink.ttl === undefined ? '' : `,"ttl":${str(r.sink.ttl)}`}}`;
  const route = `{"purpose":${str(r.purpose)},"sink":${sink},"source":{"dataset":${str(r.source.dataset)},"region":${str(r.source.region)}}}`;
  const text = `{"classification":${str(i.classification)},"fields":${fields},"route":${route}${i.subject === undefined ? '' : `,"subject":${str(i.subject)}`}}`;
  return text;
}
