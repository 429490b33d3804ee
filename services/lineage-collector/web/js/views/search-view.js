import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { columnHref, datasetHref, jobHref } from '../links.js';
import { splitNodeId } from '../model.js';

/** Where a search hit leads: a field to its column lineage, a job or dataset to its graph. */
export function resultLink(r) {
  const type = String(r.type ?? '').toUpperCase();
  const fromId = typeof r.nodeId === 'string' ? splitNodeId(r.nodeId) : null;
  const ns = r.namespace ?? fromId?.namespace ?? '';
  if (type === 'JOB') return jobHref(ns, r.name ?? fromId?.name);
  const dataset =
    r.dataset ??
    r.datasetName ??
    (type === 'FIELD' || type === 'DATASET_FIELD' ? undefined : r.name) ??
    fromId?.name;
  const field = r.field ?? r.fieldName;
  if (field && dataset) return columnHref(ns, dataset, field);
  const tag = type === 'TAG' ? (r.tag ?? r.key) : undefined;
  return datasetHref(ns, dataset ?? r.name, tag ? { tag } : {});
}

function resultTitle(r) {
  const type = String(r.type ?? '').toUpperCase();
  const field = r.field ?? r.fieldName;
  if (field) return `${r.dataset ?? r.datasetName ?? r.name}.${field}`;
  if (type === 'TAG')
    return `${r.tag ?? r.key ?? ''}${r.value ? `=${r.value}` : ''} on ${r.dataset ?? r.name}`;
  return r.name;
}

export async function renderSearch(ctx) {
  const q = ctx.route.params.get('q') ?? '';
  const type = ctx.route.params.get('type') ?? '';
  replace(ctx.main, h('h1', {}, `Search: ${q}`), h('p', { class: 'muted' }, 'Searching…'));
  const body = await api.search(q, type || undefined, 100);
  if (!ctx.current()) return;
  const results = body?.results ?? [];
  ctx.say(`${body?.totalCount ?? results.length} results for ${q}`);
  replace(
    ctx.main,
    h('h1', {}, `Search: ${q}`),
    h(
      'p',
      { class: 'muted' },
      `${body?.totalCount ?? results.length} results${type ? ` (${type.toLowerCase()}s only)` : ''}`,
    ),
    results.length === 0
      ? h('p', {}, 'Nothing matches. Try part of a name, a field, or a tag such as pii.')
      : h(
          'ol',
          { class: 'results', 'aria-label': 'Search results' },
          results.map((r) =>
            h(
              'li',
              {},
              h(
                'span',
                { class: `kind kind-${String(r.type ?? '').toLowerCase()}` },
                String(r.type ?? '').toLowerCase(),
              ),
              ' ',
              h('a', { href: resultLink(r) }, resultTitle(r)),
              ' ',
              h('span', { class: 'muted' }, r.namespace ?? ''),
              r.updatedAt
                ? h('span', { class: 'muted small' }, ` · updated ${formatTime(r.updatedAt)}`)
                : null,
            ),
          ),
        ),
  );
}
