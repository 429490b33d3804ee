import { api } from '../api.js';
import { formatTime, h, plural, replace } from '../dom.js';
import { href } from '../router.js';
import { jobHref, runsHref } from '../links.js';
import { errorOf } from './details-panel.js';
import { runState } from './home-view.js';

const PER_PAGE = 50;
const MAX_PER_PAGE = 200;

const positive = (value, fallback, max = Infinity) => {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, max) : fallback;
};

/** Failed and aborted runs across every job, newest failure first, a page at a time (`?page=&per=`). */
export async function renderFailuresPage(ctx) {
  const per = positive(ctx.route.params.get('per'), PER_PAGE, MAX_PER_PAGE);
  const page = positive(ctx.route.params.get('page'), 1);
  replace(ctx.main, h('h1', {}, 'Failed runs'), h('p', { class: 'muted' }, 'Loading…'));
  const body = await api.failedRuns(per, (page - 1) * per);
  if (!ctx.current()) return;
  const runs = Array.isArray(body?.runs) ? body.runs : [];
  const total = typeof body?.totalCount === 'number' ? body.totalCount : runs.length;
  const pages = Math.max(1, Math.ceil(total / per));
  const first = (page - 1) * per + 1;
  const shown = runs.length ? `${first}–${first + runs.length - 1} of ${total}` : `none of ${total}`;
  ctx.say(`${plural(total, 'failed run')}; showing ${shown}`);
  const pageHref = (n) =>
    href('failures', [], { page: n > 1 ? n : undefined, per: per === PER_PAGE ? undefined : per });
  replace(
    ctx.main,
    h('h1', {}, 'Failed runs'),
    h(
      'p',
      { class: 'muted' },
      `${plural(total, 'run')} of every job ended failed or aborted, newest failure first.`,
    ),
    runs.length === 0
      ? h('p', {}, total === 0 ? 'No failed runs.' : 'No failed runs on this page.')
      : h(
          'table',
          { class: 'list failures' },
          h('caption', { class: 'visually-hidden' }, `Failed runs, ${shown}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['When', 'Job', 'Run', 'Error'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            runs.map((r) => {
              const err = errorOf(r);
              const ns = r.job?.namespace ?? '';
              const name = r.job?.name ?? '';
              return h(
                'tr',
                { class: 'failed', 'data-run-id': r.id ?? '' },
                h(
                  'td',
                  {},
                  formatTime(r.endedAt ?? r.updatedAt),
                  h('div', { class: 'small' }, runState(r.state)),
                ),
                h(
                  'td',
                  {},
                  h('a', { href: jobHref(ns, name) }, name),
                  h('div', { class: 'small muted' }, ns),
                ),
                h(
                  'td',
                  {},
                  h('a', { href: runsHref(ns, name, { failed: true }), title: r.id ?? '' }, 'runs'),
                  ' ',
                  h('code', { class: 'small' }, String(r.id ?? '').slice(0, 8)),
                ),
                h(
                  'td',
                  { class: 'error-cell' },
                  err
                    ? h('div', { class: 'error-message' }, err.message)
                    : h('span', { class: 'muted' }, 'no error message reported'),
                ),
              );
            }),
          ),
        ),
    pages > 1 || page > 1
      ? h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages of failed runs' },
          page > 1 ? h('a', { href: pageHref(page - 1), rel: 'prev' }, '← Newer failures') : null,
          h('span', { class: 'muted', 'aria-current': 'page' }, `Page ${page} of ${pages} (${shown})`),
          page < pages ? h('a', { href: pageHref(page + 1), rel: 'next' }, 'Older failures →') : null,
        )
      : null,
  );
}
