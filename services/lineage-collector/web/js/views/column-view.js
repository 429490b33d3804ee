/* global window */
import { api, fieldNodeId } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { graphModel } from '../model.js';
import { renderGraph } from '../graph-view.js';
import { href, setParams } from '../router.js';
import { columnHref, datasetHref } from '../links.js';
import { asOfControl, depthInput } from './graph-controls.js';
import { tagChips } from './tag-chips.js';

function transformations(input) {
  const list = Array.isArray(input?.transformations) ? input.transformations : [];
  const legacy = input?.transformationType
    ? [{ type: input.transformationType, description: input.transformationDescription }]
    : [];
  return [...list, ...legacy]
    .map((t) => [t.type, t.subtype, t.masking ? 'masking' : null, t.description].filter(Boolean).join(' · '))
    .filter(Boolean);
}

function fieldDetails(panel, node, model, asOf) {
  const keep = { asOf };
  const d = node.data ?? {};
  const inputs = Array.isArray(d.inputFields) ? d.inputFields : [];
  const downstream = model.edges
    .filter((e) => e.from === node.id)
    .map((e) => model.nodes.find((n) => n.id === e.to))
    .filter(Boolean);
  replace(
    panel,
    h('h2', { id: 'details-title' }, `${node.name}.${node.field}`),
    h(
      'dl',
      { class: 'props' },
      h('dt', {}, 'Dataset'),
      h('dd', {}, h('a', { href: datasetHref(node.namespace, node.name) }, node.name)),
      h('dt', {}, 'Namespace'),
      h('dd', {}, node.namespace),
      h('dt', {}, 'Type'),
      h('dd', {}, d.fieldType ?? d.type ?? '—'),
      node.tags.length ? [h('dt', {}, 'Tags'), h('dd', {}, tagChips(node.tags))] : null,
    ),
    h(
      'section',
      {},
      h('h3', {}, `Derived from (${inputs.length})`),
      inputs.length
        ? h(
            'ul',
            { class: 'plain' },
            inputs.map((i) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: columnHref(i.namespace, i.dataset ?? i.name, i.field, keep) },
                  `${i.dataset ?? i.name}.${i.field}`,
                ),
                transformations(i).length
                  ? h('div', { class: 'muted small' }, transformations(i).join('; '))
                  : null,
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No upstream fields: a source column.'),
    ),
    h(
      'section',
      {},
      h('h3', {}, `Feeds (${downstream.length})`),
      downstream.length
        ? h(
            'ul',
            { class: 'plain' },
            downstream.map((n) =>
              h(
                'li',
                {},
                h('a', { href: columnHref(n.namespace, n.name, n.field, keep) }, `${n.name}.${n.field}`),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'Nothing downstream in this view.'),
    ),
  );
}

/** The column lineage of one field: where it comes from and (optionally) where it goes. */
export async function renderColumnPage(ctx) {
  const { args, params } = ctx.route;
  const [ns, dataset, field] = args;
  const center = fieldNodeId(ns, dataset, field);
  const state = {
    depth: Math.min(20, Math.max(0, Number.parseInt(params.get('depth') ?? '', 10) || 5)),
    down: params.get('down') !== '0',
    sel: params.get('sel') ?? center,
    // The column lineage as it was then (the columnLineage facets in effect at that time).
    asOf: params.get('asOf') ?? '',
  };
  const pane = h('div', { class: 'graph-pane', id: 'graph' });
  const details = h('aside', {
    class: 'details',
    id: 'details',
    'aria-labelledby': 'details-title',
    tabindex: '-1',
  });
  let model = null;
  let graph = null;

  const update = (changes) => {
    Object.assign(state, changes);
    setParams({
      depth: state.depth === 5 ? '' : state.depth,
      down: state.down ? '' : '0',
      sel: state.sel === center ? '' : state.sel,
      asOf: state.asOf,
    });
  };
  const draw = () => {
    graph = renderGraph(pane, model, {
      centerId: center,
      selectedId: state.sel,
      label: `Column lineage of ${dataset}.${field}`,
      onSelect: (id) => {
        update({ sel: id });
        draw();
        graph.focus(id);
        const node = model.nodes.find((n) => n.id === id);
        if (node) fieldDetails(details, node, model, state.asOf);
      },
      onOpen: (id) => {
        const node = model.nodes.find((n) => n.id === id);
        if (node)
          window.location.hash = columnHref(node.namespace, node.name, node.field, { asOf: state.asOf });
      },
    });
  };
  const load = async () => {
    replace(pane, h('p', { class: 'muted' }, 'Loading column lineage…'));
    let body;
    try {
      body = await api.columnLineage(center, {
        depth: state.depth,
        withDownstream: state.down,
        asOf: state.asOf || undefined,
      });
    } catch (err) {
      if (!ctx.current()) return;
      const gone = err?.code === 'LIN_NODE_NOT_FOUND' && state.asOf;
      replace(
        pane,
        h(
          'p',
          { role: 'alert' },
          gone
            ? `${dataset} did not exist at ${formatTime(state.asOf)}.`
            : 'The column lineage could not be loaded.',
        ),
      );
      return;
    }
    if (!ctx.current()) return;
    model = graphModel(body);
    if (!model.nodes.some((n) => n.id === state.sel)) state.sel = center;
    if (!model.nodes.length) {
      replace(pane, h('p', {}, 'No column lineage is recorded for this field.'));
      replace(
        details,
        h('h2', { id: 'details-title' }, `${dataset}.${field}`),
        h('p', { class: 'muted' }, 'No lineage.'),
      );
      ctx.say(`No column lineage for ${dataset}.${field}`);
      return;
    }
    draw();
    const node = model.nodes.find((n) => n.id === state.sel);
    if (node) fieldDetails(details, node, model, state.asOf);
    ctx.say(
      `Column lineage of ${dataset}.${field}: ${model.nodes.length} fields${state.asOf ? `, as of ${formatTime(state.asOf)}` : ''}`,
    );
  };

  const downBox = h('input', { id: 'with-downstream', type: 'checkbox', checked: state.down });
  downBox.addEventListener('change', () => {
    update({ down: downBox.checked });
    void load();
  });
  replace(
    ctx.main,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/' }, 'Namespaces'),
      ' / ',
      h('a', { href: href('namespace', [ns]) }, ns),
      ' / ',
      h('a', { href: datasetHref(ns, dataset) }, dataset),
      ' /',
    ),
    h('h1', {}, h('span', { class: 'kind kind-field' }, 'field'), ' ', `${dataset}.${field}`),
    h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Column lineage controls' },
      depthInput('column-depth', 'Depth', state.depth, (n) => {
        update({ depth: n });
        void load();
      }),
      asOfControl(state.asOf, (iso) => {
        update({ asOf: iso });
        void load();
      }),
      h(
        'span',
        { class: 'control check' },
        downBox,
        h('label', { for: 'with-downstream' }, 'include downstream'),
      ),
    ),
    h(
      'div',
      { class: 'split' },
      h('section', { class: 'graph-section', 'aria-label': 'Column lineage graph' }, pane),
      details,
    ),
  );
  await load();
}
