import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { datasetHref, jobHref } from '../links.js';
import { splitNodeId } from '../model.js';
import { setParams } from '../router.js';
import { asOfControl } from './graph-controls.js';

const list = (body) => (Array.isArray(body?.conflicts) ? body.conflicts : Array.isArray(body) ? body : []);

const idOf = (ref) => {
  if (typeof ref === 'string') return ref;
  if (ref && typeof ref === 'object') {
    if (typeof ref.nodeId === 'string') return ref.nodeId;
    if (typeof ref.id === 'string') return ref.id;
    if (ref.namespace && ref.name)
      return `${ref.type === 'JOB' || ref.type === 'job' ? 'job' : 'dataset'}:${ref.namespace}:${ref.name}`;
  }
  return undefined;
};

/** The edges a conflict flags, as `origin\0destination` keys for the graph view. */
export function conflictEdgeMap(body) {
  const map = new Map();
  for (const c of list(body)) {
    const reason =
      c.reason ?? c.message ?? 'EEA-resident data reaches a non-EEA region without an allow decision';
    const edges = [c.edge, ...(Array.isArray(c.edges) ? c.edges : [])].filter(Boolean);
    for (const e of edges) {
      const from = idOf(e.origin ?? e.from);
      const to = idOf(e.destination ?? e.to);
      if (from && to) map.set(`${from}\u0000${to}`, reason);
    }
    if (!edges.length && c.job && c.sink) {
      const from = idOf({ ...c.job, type: 'JOB' });
      const to = idOf(c.sink);
      if (from && to) map.set(`${from}\u0000${to}`, reason);
    }
  }
  return map;
}

function nodeLink(ref) {
  const id = idOf(ref);
  if (!id) return '—';
  const { type, namespace, name } =
    typeof ref === 'object' && ref.namespace && ref.name
      ? { type: id.split(':')[0], namespace: ref.namespace, name: ref.name }
      : splitNodeId(id);
  return h(
    'span',
    {},
    h(
      'a',
      {
        href: type === 'job' ? jobHref(namespace, name) : datasetHref(namespace, name, { tag: 'residency' }),
      },
      name,
    ),
    ref?.region ? h('span', { class: 'muted small' }, ` (${ref.region})`) : null,
  );
}

export async function renderConflictsPage(ctx) {
  let asOf = ctx.route.params.get('asOf') ?? '';
  const slot = h('div', {});
  const load = async () => {
    replace(slot, h('p', { class: 'muted' }, 'Loading…'));
    const body = await api.conflicts(asOf || undefined);
    if (!ctx.current()) return;
    const conflicts = list(body);
    ctx.say(`${conflicts.length} residency conflicts`);
    replace(
      slot,
      conflicts.length === 0
        ? h(
            'p',
            {},
            'No residency conflicts: no EEA-resident data reaches a non-EEA dataset without an allow decision.',
          )
        : h(
            'table',
            { class: 'list' },
            h('caption', { class: 'visually-hidden' }, 'Residency conflicts'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['From (EEA-resident)', 'Through job', 'To (outside the EEA)', 'Tag', 'Why'].map((t) =>
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
                  h('td', {}, nodeLink(c.source ?? c.from ?? c.edge?.origin)),
                  h('td', {}, c.job ? nodeLink({ ...c.job, type: 'JOB' }) : '—'),
                  h('td', {}, nodeLink(c.sink ?? c.target ?? c.to ?? c.edge?.destination)),
                  h('td', {}, c.tag ? `${c.tag.key ?? c.tag}${c.tag.value ? `=${c.tag.value}` : ''}` : '—'),
                  h(
                    'td',
                    {},
                    c.reason ?? c.message ?? '—',
                    c.detectedAt ? h('div', { class: 'muted small' }, formatTime(c.detectedAt)) : null,
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
      'Paths from data tagged EEA-resident to a dataset in a region outside the EEA, with no recorded allow decision.',
    ),
    h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Conflict filters' },
      asOfControl(asOf, (iso) => {
        asOf = iso;
        setParams({ asOf });
        void load();
      }),
    ),
    slot,
  );
  await load();
}
