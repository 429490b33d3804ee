import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { datasetHref, jobHref } from '../links.js';

const list = (body) => (Array.isArray(body?.conflicts) ? body.conflicts : []);

const datasetLink = (d, where = d.region) =>
  h(
    'span',
    {},
    h('a', { href: datasetHref(d.namespace, d.name, { tag: 'residency' }) }, d.name),
    h('span', { class: 'muted small' }, ` ${d.namespace}`, where ? [' · ', where] : null),
  );

/** Where the data went: its region, or "unknown region" when it has none (which is why it is flagged). */
const destination = (d) =>
  datasetLink(d, d.region ? d.region : h('strong', { class: 'unknown-region' }, 'unknown region'));

/** Why the edge is flagged: the collector's reason, as text (code beneath it). */
const reasonCell = (reason) =>
  h(
    'td',
    { class: 'reason' },
    reason?.message ? h('div', {}, String(reason.message)) : '—',
    reason?.code ? h('code', { class: 'small muted' }, String(reason.code)) : null,
  );

/** Residency conflicts: which jobs move EEA-resident data outside the EEA, or to a region not known. */
export async function renderConflictsPage(ctx) {
  const slot = h('div', {});
  const load = async () => {
    replace(slot, h('p', { class: 'muted' }, 'Loading…'));
    const body = await api.conflicts();
    if (!ctx.current()) return;
    const conflicts = list(body);
    ctx.say(`${conflicts.length} residency conflicts`);
    replace(
      slot,
      conflicts.length === 0
        ? h(
            'p',
            {},
            'No residency conflicts: no EEA-resident data reaches a dataset outside the EEA, or in an unknown region, without an allow decision.',
          )
        : h(
            'table',
            { class: 'list conflicts' },
            h('caption', { class: 'visually-hidden' }, 'Residency conflicts'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['EEA-resident data read', 'Job', 'Written to (region)', 'Why', 'Decision'].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              conflicts.map((c) =>
                h(
                  'tr',
                  { class: 'failed' },
                  h(
                    'td',
                    {},
                    h(
                      'ul',
                      { class: 'plain' },
                      (c.sources ?? []).map((s) => h('li', {}, datasetLink(s))),
                    ),
                  ),
                  h(
                    'td',
                    {},
                    c.job ? h('a', { href: jobHref(c.job.namespace, c.job.name) }, c.job.name) : '—',
                  ),
                  h('td', {}, c.dataset ? destination(c.dataset) : '—'),
                  reasonCell(c.reason),
                  h(
                    'td',
                    {},
                    c.decision ? `${c.decision.decision} (${c.decision.decision_id})` : 'none recorded',
                  ),
                ),
              ),
            ),
          ),
    );
  };
  replace(
    ctx.main,
    h('h1', {}, 'Residency conflicts'),
    h(
      'p',
      { class: 'muted' },
      'Jobs that read EEA-resident data (tagged residency=EEA, or stored in an EEA region) and write it to a dataset in a region outside the EEA, or to one whose region is unknown, with no recorded allow decision.',
    ),
    slot,
  );
  await load();
}
