import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { href } from '../router.js';
import { datasetHref, jobHref } from '../links.js';
import { tagChips } from './tag-chips.js';
import { tagsOf } from '../tags.js';

export async function renderHome(ctx) {
  replace(ctx.main, h('h1', {}, 'Namespaces'), h('p', { class: 'muted' }, 'Loading…'));
  const body = await api.namespaces();
  if (!ctx.current()) return;
  const namespaces = body?.namespaces ?? [];
  ctx.say(`${namespaces.length} namespaces`);
  replace(
    ctx.main,
    h('h1', {}, 'Namespaces'),
    h(
      'p',
      { class: 'muted' },
      'Where does this column go, and which sinks hold PII? Search above (press / to focus it), or open a namespace.',
    ),
    namespaces.length === 0
      ? h('p', {}, 'No lineage has been recorded yet.')
      : h(
          'table',
          { class: 'list' },
          h('caption', { class: 'visually-hidden' }, 'Namespaces'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Namespace'),
              h('th', { scope: 'col' }, 'Owner'),
              h('th', { scope: 'col' }, 'Updated'),
            ),
          ),
          h(
            'tbody',
            {},
            namespaces.map((ns) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: href('namespace', [ns.name]) }, ns.name)),
                h('td', {}, ns.ownerName ?? '—'),
                h('td', {}, formatTime(ns.updatedAt)),
              ),
            ),
          ),
        ),
  );
}

export async function renderNamespace(ctx) {
  const [ns] = ctx.route.args;
  replace(ctx.main, h('h1', {}, ns), h('p', { class: 'muted' }, 'Loading…'));
  const [datasets, jobs] = await Promise.all([api.datasets(ns, 200), api.jobs(ns, 200)]);
  if (!ctx.current()) return;
  const ds = datasets?.datasets ?? [];
  const js = jobs?.jobs ?? [];
  ctx.say(`${ds.length} datasets and ${js.length} jobs in ${ns}`);
  replace(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Namespaces'), ' / '),
    h('h1', {}, ns),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { 'aria-labelledby': 'ns-datasets' },
        h('h2', { id: 'ns-datasets' }, `Datasets (${datasets?.totalCount ?? ds.length})`),
        ds.length
          ? h(
              'ul',
              { class: 'plain' },
              ds.map((d) =>
                h(
                  'li',
                  {},
                  h('a', { href: datasetHref(d.namespace ?? ns, d.name) }, d.name),
                  ' ',
                  tagChips(tagsOf(d).filter((t) => !t.field)),
                ),
              ),
            )
          : h('p', {}, 'None.'),
      ),
      h(
        'section',
        { 'aria-labelledby': 'ns-jobs' },
        h('h2', { id: 'ns-jobs' }, `Jobs (${jobs?.totalCount ?? js.length})`),
        js.length
          ? h(
              'ul',
              { class: 'plain' },
              js.map((j) =>
                h(
                  'li',
                  {},
                  h('a', { href: jobHref(j.namespace ?? ns, j.name) }, j.name),
                  ' ',
                  runState(j.latestRun?.state),
                ),
              ),
            )
          : h('p', {}, 'None.'),
      ),
    ),
  );
}

export function runState(state) {
  if (!state) return null;
  return h('span', { class: `state state-${String(state).toLowerCase()}` }, String(state));
}
