// Policy tags (classification, residency) in one shape, whatever part of a node they came from:
// Marquez's string tags on datasets and fields, the OpenLineage `tags` facet ({key, value, source, field}),
// and the collector's derived tags (direct or inherited along edges).

/** @typedef {{ key: string, value: string, field?: string, source?: string, inherited: boolean, from?: string }} Tag */

function fromAny(t, field) {
  if (typeof t === 'string') {
    const [key, ...rest] = t.split('=');
    return { key: key.toLowerCase(), value: rest.join('=') || 'true', field, inherited: false };
  }
  if (t && typeof t === 'object' && typeof (t.key ?? t.name) === 'string') {
    return {
      key: String(t.key ?? t.name).toLowerCase(),
      value: t.value === undefined || t.value === null ? 'true' : String(t.value),
      field: t.field ?? field,
      source: t.source,
      inherited: t.inherited === true,
      // The collector names where an inherited tag was set directly: `dataset:<ns>:<name>` (+ originField).
      from:
        typeof t.origin === 'string' ? `${t.origin}${t.originField ? ` (${t.originField})` : ''}` : undefined,
    };
  }
  return null;
}

/** Every tag on a dataset or job object (a lineage node's `data`, or a dataset resource). */
export function tagsOf(data) {
  if (!data || typeof data !== 'object') return [];
  const out = [];
  const push = (t, field) => {
    const tag = fromAny(t, field);
    if (tag) out.push(tag);
  };
  // The collector's policyTags are the whole story (direct and inherited, with values); Marquez's string
  // tags on the dataset and its fields are their keys only, so they are the fallback.
  if (Array.isArray(data.policyTags)) {
    for (const t of data.policyTags) push(t);
    return dedupe(out);
  }
  for (const t of asArray(data.tags)) push(t);
  for (const t of asArray(data.facets?.tags?.tags)) push(t);
  for (const f of asArray(data.fields)) {
    for (const t of asArray(f?.tags)) push(t, f.name);
  }
  return dedupe(out);
}

/** Tags that apply to one field (and the dataset-wide ones are not included). */
export function fieldTags(tags, field) {
  return tags.filter((t) => t.field === field);
}

export function tagLabel(t) {
  return t.value && t.value !== 'true' ? `${t.key}=${t.value}` : t.key;
}

/** Whether a node's tags match a filter like `pii`, `residency` or `residency=eea`. */
export function matchesTag(tags, filter) {
  if (!filter) return true;
  const [key, value] = filter.toLowerCase().split('=');
  return tags.some((t) => t.key === key && (value === undefined || t.value.toLowerCase() === value));
}

function asArray(v) {
  return Array.isArray(v) ? v : [];
}

function dedupe(tags) {
  const seen = new Map();
  for (const t of tags) {
    const k = `${t.key}\u0000${t.value}\u0000${t.field ?? ''}`;
    const prev = seen.get(k);
    // A tag both direct and inherited is shown as direct.
    if (!prev || (prev.inherited && !t.inherited)) seen.set(k, t);
  }
  return [...seen.values()];
}
