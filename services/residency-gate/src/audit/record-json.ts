import { canonicalize, str } from '../jcs/canonical-json.ts';
import type { ChainedRecord } from './audit-record.ts';

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
 * RFC 8785 forms of the audit's own shapes, written out with their members already in order: the generic
 * canonicalizer sorts keys and walks every value, which is most of an append's cost. Tests check these
 * equal `canonicalize` on random records.
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

/** The record's canonical form; `input` and `result` use their remembered forms when they have one. */
export function canonicalRecord(r: ChainedRecord): string {
  const b = r.bundles.residency;
  return (
    `{"bundles":{"residency":{"digest":${str(b.digest)},"revision":${str(b.revision)}}}` +
    `,"decision_id":${str(r.decision_id)}` +
    `,"input":${canonicalize(r.input)}` +
    `,"input_hash":${str(r.input_hash)}` +
    `,"path":${str(r.path)}` +
    `,"prev_hash":${str(r.prev_hash)}` +
    `,"req_id":${str(r.req_id)}` +
    `,"requested_by":${str(r.requested_by)}` +
    `,"result":${canonicalize(r.result)}` +
    `,"result_hash":${str(r.result_hash)}` +
    `,"seq":${canonicalize(r.seq)}` +
    `,"timestamp":${str(r.timestamp)}` +
    `,"type":${str(r.type)}}`
  );
}
