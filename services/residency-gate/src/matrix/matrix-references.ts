import { durationSeconds, expiryMs } from './duration.ts';
import type { IdList, Matrix } from './matrix-types.ts';

export interface ReferenceProblem {
  pointer: string;
  message: string;
}

/** What JSON Schema cannot say: every name a matrix uses is declared in it, dates and durations parse. */
export function checkReferences(m: Matrix): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  const need = (pointer: string, kind: string, known: Record<string, unknown>, id: string) => {
    if (!Object.hasOwn(known, id)) {
      out.push({ pointer, message: `unknown ${kind} "${id}" (known: ${Object.keys(known).join(', ')})` });
    }
  };
  const needList = (
    pointer: string,
    kind: string,
    known: Record<string, unknown>,
    ids: IdList | undefined,
  ) => {
    if (ids === undefined || ids === '*') return;
    ids.forEach((id, i) => need(`${pointer}/${i}`, kind, known, id));
  };
  const date = (pointer: string, text: string | null | undefined) => {
    if (text !== null && text !== undefined && expiryMs(text) === null)
      out.push({ pointer, message: `not a date: ${text}` });
  };
  const duration = (pointer: string, text: string | undefined) => {
    if (text !== undefined && durationSeconds(text) === null)
      out.push({ pointer, message: `not an ISO 8601 duration: ${text}` });
  };
  const recipients = m.recipients ?? {};

  for (const [id, r] of Object.entries(m.regions))
    need(`/regions/${id}/jurisdiction`, 'jurisdiction', m.jurisdictions, r.jurisdiction);
  (m.adequacy ?? []).forEach((a, i) => {
    need(`/adequacy/${i}/from`, 'jurisdiction', m.jurisdictions, a.from);
    need(`/adequacy/${i}/to`, 'jurisdiction', m.jurisdictions, a.to);
    date(`/adequacy/${i}/expires`, a.expires);
  });
  for (const [id, r] of Object.entries(recipients))
    date(`/recipients/${id}/dpf_certified_until`, r.dpf_certified_until);
  const mechanismIds = new Set<string>();
  (m.transfer_mechanisms ?? []).forEach((t, i) => {
    if (mechanismIds.has(t.id))
      out.push({ pointer: `/transfer_mechanisms/${i}/id`, message: `duplicate id ${t.id}` });
    mechanismIds.add(t.id);
    need(`/transfer_mechanisms/${i}/from`, 'jurisdiction', m.jurisdictions, t.from);
    need(`/transfer_mechanisms/${i}/to`, 'jurisdiction', m.jurisdictions, t.to);
    if (t.recipient !== undefined)
      need(`/transfer_mechanisms/${i}/recipient`, 'recipient', recipients, t.recipient);
    date(`/transfer_mechanisms/${i}/expires`, t.expires);
  });
  for (const [id, s] of Object.entries(m.sinks)) {
    need(`/sinks/${id}/region`, 'region', m.regions, s.region);
    if (s.recipient !== undefined) need(`/sinks/${id}/recipient`, 'recipient', recipients, s.recipient);
    duration(`/sinks/${id}/retention`, s.retention);
  }
  for (const [id, c] of Object.entries(m.classifications))
    duration(`/classifications/${id}/max_retention`, c.max_retention);
  for (const [id, t] of Object.entries(m.tags)) duration(`/tags/${id}/max_retention`, t.max_retention);
  const ruleIds = new Set<string>();
  m.rules.forEach((r, i) => {
    const p = `/rules/${i}`;
    if (ruleIds.has(r.id)) out.push({ pointer: `${p}/id`, message: `duplicate rule id ${r.id}` });
    ruleIds.add(r.id);
    (r.match.tags ?? []).forEach((t, j) => need(`${p}/match/tags/${j}`, 'tag', m.tags, t));
    (r.match.classifications ?? []).forEach((c, j) =>
      need(`${p}/match/classifications/${j}`, 'classification', m.classifications, c),
    );
    needList(`${p}/match/from`, 'jurisdiction', m.jurisdictions, r.match.from);
    needList(`${p}/match/to`, 'jurisdiction', m.jurisdictions, r.match.to);
    needList(`${p}/match/purposes`, 'purpose', m.purposes, r.match.purposes);
    needList(`${p}/match/sinks`, 'sink', m.sinks, r.match.sinks);
    duration(`${p}/obligations/cap_retention`, r.obligations?.cap_retention);
    if (r.obligations?.hash_key !== undefined && r.obligations.fields !== 'hash')
      out.push({ pointer: `${p}/obligations/hash_key`, message: 'hash_key needs fields: hash' });
  });
  return out;
}
