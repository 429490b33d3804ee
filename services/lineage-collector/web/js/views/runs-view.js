import { api } from '../api.js';
import { formatDuration, formatTime, h, plural, replace } from '../dom.js';
import { href, setParams } from '../router.js';
import { jobHref } from '../links.js';
import { errorOf } from './details-panel.js';
import { runState } from './home-view.js';

const isFailure = (r) => /^(FAIL|ABORT)/i.test(r.state ?? '') || errorOf(r) !== null;

/** The runs of a job, newest first; failures carry their error message and stack trace. */
export async function renderRunsPage(ctx) {
  const [ns, job] = ctx.route.args;
  let failedOnly = ctx.route.params.get('failed') === '1';
  replace(ctx.main, h('h1', {}, `Runs of ${job}`), h('p', { class: 'muted' }, 'Loading…'));
  const body = await api.runs(ns, job, 100);
  if (!ctx.current()) return;
  const runs = body?.runs ?? [];
  const failures = runs.filter(isFailure);
  const tableSlot = h('div', {});

  const draw = () => {
    const shown = failedOnly ? failures : runs;
    replace(
      tableSlot,
      shown.length === 0
        ? h('p', {}, failedOnly ? 'No failed runs.' : 'No runs recorded.')
        : h(
            'table',
            { class: 'list runs-table' },
            h('caption', { class: 'visually-hidden' }, `Runs of ${job}`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['State', 'Run', 'Started', 'Ended', 'Duration', 'Error'].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              shown.map((r) => {
                const err = errorOf(r);
                return h(
                  'tr',
                  { class: isFailure(r) ? 'failed' : '', 'data-run-id': r.id },
                  h('td', {}, runState(r.state)),
                  h('td', {}, h('code', { class: 'small', title: r.id }, String(r.id ?? '').slice(0, 8))),
                  h('td', {}, formatTime(r.startedAt ?? r.createdAt)),
                  h('td', {}, formatTime(r.endedAt)),
                  h('td', {}, formatDuration(r.durationMs)),
                  h(
                    'td',
                    { class: 'error-cell' },
                    err
                      ? [
                          h('div', { class: 'error-message' }, err.message),
                          err.stackTrace
                            ? h(
                                'details',
                                {},
                                h(
                                  'summary',
                                  {},
                                  `Stack trace${err.programmingLanguage ? ` (${err.programmingLanguage})` : ''}`,
                                ),
                                h('pre', { class: 'json', tabindex: '0' }, err.stackTrace),
                              )
                            : null,
                        ]
                      : '—',
                  ),
                );
              }),
            ),
          ),
    );
  };
  const box = h('input', { id: 'failed-only', type: 'checkbox', checked: failedOnly });
  box.addEventListener('change', () => {
    failedOnly = box.checked;
    setParams({ failed: failedOnly });
    draw();
    ctx.say(failedOnly ? plural(failures.length, 'failed run') : plural(runs.length, 'run'));
  });
  ctx.say(`${plural(runs.length, 'run')} of ${job}, ${failures.length} failed`);
  replace(
    ctx.main,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/' }, 'Namespaces'),
      ' / ',
      h('a', { href: href('namespace', [ns]) }, ns),
      ' / ',
      h('a', { href: jobHref(ns, job) }, job),
      ' /',
    ),
    h('h1', {}, `Runs of ${job}`),
    h(
      'p',
      { class: failures.length ? 'banner warn' : 'muted' },
      `${plural(runs.length, 'run')}, ${failures.length} failed.`,
    ),
    h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Run filters' },
      h('span', { class: 'control check' }, box, h('label', { for: 'failed-only' }, 'failures only')),
    ),
    tableSlot,
  );
  draw();
}
