import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { columnHref, datasetHref, jobHref } from '../links.js';

/**
 * Where a search hit leads: a field to its column lineage, a tag to the dataset's graph with that tag
 * highlighted, a job or dataset to its graph. Hits are Marquez's ({type, name, namespace, nodeId}); field
 * hits add `field`, tag hits `tag: {key, value, field, inherited}`.
 */
export function resultLink(r) {
  const type = String(r.type ?? '').toUpperCase();
  const ns = r.namespace ?? '';
  if (type === 'JOB') return jobHref(ns, r.name);
  if (type === 'FIELD' && r.field) return columnHref(ns, r.name, r.field);
  if (type === 'TAG' && r.tag?.key) return datasetHref(ns, r.name, { tag: r.tag.key });
  return datasetHref(ns, r.name);
}

export function resultTitle(r) {
  const type = String(r.type ?? '').toUpperCase();
  if (type === 'FIELD' && r.field) return `${r.name}.${r.field}`;
  if (type === 'TAG' && r.tag) {
    const where = r.tag.field ? `${r.name}.${r.tag.field}` : r.name;
    return `${r.tag.key}${r.tag.value && r.tag.value !== 'true' ? `=${r.tag.value}` : ''} on ${where}${r.tag.inherited ? ' (inherited)' : ''}`;
  }
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
