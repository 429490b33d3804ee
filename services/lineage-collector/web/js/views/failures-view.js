import { api } from '../api.js';
import { formatTime, h, plural, replace } from '../dom.js';
import { jobHref, runsHref } from '../links.js';

const SCAN = 1000;

/** Failed and aborted runs across every job, newest first, from the latest raw events. */
export async function renderFailuresPage(ctx) {
  replace(ctx.main, h('h1', {}, 'Failed runs'), h('p', { class: 'muted' }, 'Loading…'));
  const body = await api.events(SCAN);
  if (!ctx.current()) return;
  const events = Array.isArray(body?.events) ? body.events : [];
  const failures = events.filter((e) => e?.eventType === 'FAIL' || e?.eventType === 'ABORT');
  ctx.say(`${plural(failures.length, 'failed run')} in the latest ${plural(events.length, 'event')}`);
  replace(
    ctx.main,
    h('h1', {}, 'Failed runs'),
    h(
      'p',
      { class: 'muted' },
      `FAIL and ABORT events among the latest ${events.length} of ${body?.totalCount ?? events.length} events, newest first.`,
    ),
    failures.length === 0
      ? h('p', {}, 'No failed runs.')
      : h(
          'table',
          { class: 'list failures' },
          h('caption', { class: 'visually-hidden' }, 'Failed runs'),
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
            failures.map((e) => {
              const err = e.run?.facets?.errorMessage;
              const ns = e.job?.namespace ?? '';
              const name = e.job?.name ?? '';
              return h(
                'tr',
                { class: 'failed' },
                h('td', {}, formatTime(e.eventTime), h('div', { class: 'small muted' }, e.eventType)),
                h(
                  'td',
                  {},
                  h('a', { href: jobHref(ns, name) }, name),
                  h('div', { class: 'small muted' }, ns),
                ),
                h(
                  'td',
                  {},
                  h('a', { href: runsHref(ns, name, { failed: true }), title: e.run?.runId ?? '' }, 'runs'),
                  ' ',
                  h('code', { class: 'small' }, String(e.run?.runId ?? '').slice(0, 8)),
                ),
                h(
                  'td',
                  { class: 'error-cell' },
                  typeof err?.message === 'string'
                    ? h('div', { class: 'error-message' }, err.message)
                    : h('span', { class: 'muted' }, 'no error message reported'),
                ),
              );
            }),
          ),
        ),
  );
}
