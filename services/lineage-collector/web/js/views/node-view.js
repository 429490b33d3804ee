/* global document, window */
import { api, ApiError, nodeId } from '../api.js';
import { formatTime, h, plural, replace } from '../dom.js';
import { matchesTag } from '../tags.js';
import { graphModel } from '../model.js';
import { renderGraph } from '../graph-view.js';
import { href, parseHash, setParams } from '../router.js';
import { nodeHref } from '../links.js';
import { asOfControl, depthInput, tagControl } from './graph-controls.js';
import { renderDetails } from './details-panel.js';

const DEFAULT_DEPTH = 2;
const BASE_TAGS = ['pii', 'residency'];

function depthParam(params, key) {
  const n = Number.parseInt(params.get(key) ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 20) : DEFAULT_DEPTH;
}

/** The page of one dataset or job: its graph with depth, time and tag controls, and node details. */
export async function renderNodePage(ctx) {
  const { view, args, params } = ctx.route;
  const [ns, name] = args;
  const type = view === 'job' ? 'job' : 'dataset';
  const center = nodeId(type, ns, name);
  const state = {
    up: depthParam(params, 'up'),
    down: depthParam(params, 'down'),
    asOf: params.get('asOf') ?? '',
    tag: params.get('tag') ?? '',
    only: params.get('only') === '1',
    sel: params.get('sel') ?? center,
    // The node cap (the collector's maxNodes); absent means the collector's default.
    max: Number.parseInt(params.get('max') ?? '', 10) || undefined,
  };

  const graphPane = h('div', { class: 'graph-pane', id: 'graph' });
  const details = h('aside', {
    class: 'details',
    id: 'details',
    'aria-labelledby': 'details-title',
    tabindex: '-1',
  });
  const banner = h('div', { class: 'banners' });
  const tagSlot = h('span', {});
  let model = null;
  let graph = null;

  const update = (changes) => {
    Object.assign(state, changes);
    setParams({
      up: state.up === DEFAULT_DEPTH ? '' : state.up,
      down: state.down === DEFAULT_DEPTH ? '' : state.down,
      asOf: state.asOf,
      tag: state.tag,
      only: state.only,
      sel: state.sel === center ? '' : state.sel,
    });
  };

  const select = (id, { focusDetails = false } = {}) => {
    update({ sel: id });
    const node = model?.nodes.find((n) => n.id === id);
    if (!node) return;
    drawGraph();
    graph?.focus(id);
    void renderDetails(details, node, { asOf: state.asOf, current: ctx.current, linkParams: linkParams() });
    if (focusDetails) details.focus();
  };

  const linkParams = () => ({ asOf: state.asOf, tag: state.tag });

  const drawGraph = () => {
    if (!model) return;
    const hadFocus = graphPane.contains(document.activeElement);
    graph = renderGraph(graphPane, model, {
      centerId: center,
      selectedId: state.sel,
      tag: state.tag,
      onlyTagged: state.only,
      label: `Lineage of ${type} ${name}`,
      onSelect: (id) => select(id),
      onOpen: (id) => {
        const node = model.nodes.find((n) => n.id === id);
        if (node && node.type !== 'DATASET_FIELD') window.location.hash = nodeHref(node, linkParams());
      },
    });
    if (hadFocus) graph.focus(state.sel);
  };

  const drawTagControl = () => {
    const present = new Set(BASE_TAGS);
    for (const n of model?.nodes ?? []) for (const t of n.tags) present.add(t.key);
    if (state.tag) present.add(state.tag);
    replace(
      tagSlot,
      tagControl([...present].sort(), state.tag, state.only, (tag, only) => {
        update({ tag, only });
        drawGraph();
        ctx.say(
          tag
            ? `${plural(model.nodes.filter((n) => n.type !== 'JOB' && matchesTag(n.tags, tag)).length, 'dataset')} tagged ${tag}`
            : 'Tag highlight off',
        );
      }),
    );
  };

  const load = async () => {
    replace(graphPane, h('p', { class: 'muted' }, 'Loading the graph…'));
    let body;
    try {
      body = await api.lineage(center, {
        up: state.up,
        down: state.down,
        asOf: state.asOf || undefined,
        maxNodes: state.max,
      });
    } catch (err) {
      if (!ctx.current()) return;
      // Keep the controls: at a point in time before the node existed, the user moves the time on.
      const notFound = err instanceof ApiError && err.status === 404;
      model = null;
      replace(banner);
      replace(
        graphPane,
        h(
          'p',
          { class: 'error', role: 'alert' },
          notFound && state.asOf
            ? `${name} did not exist at ${formatTime(state.asOf)}.`
            : `${err instanceof ApiError ? `${err.code}: ` : ''}${err?.message ?? err}`,
        ),
      );
      replace(
        details,
        h('h2', { id: 'details-title' }, name),
        h('p', { class: 'muted' }, 'No details at this time.'),
      );
      ctx.say(
        notFound && state.asOf ? `${name} did not exist at that time` : 'The graph could not be loaded',
      );
      return;
    }
    if (!ctx.current()) return;
    // Edges into a dataset outside the EEA that carry EEA-resident data come flagged (residencyConflict).
    model = graphModel(body);
    if (!model.nodes.some((n) => n.id === state.sel)) state.sel = center;
    const notes = [];
    if (state.asOf)
      notes.push(
        h(
          'p',
          { class: 'banner asof' },
          `Point in time: the graph as it was at ${formatTime(state.asOf)}. `,
          h(
            'a',
            { href: href(view, args, { ...Object.fromEntries(parseHash().params), asOf: '' }) },
            'Back to now',
          ),
        ),
      );
    if (model.truncated)
      notes.push(
        h(
          'p',
          { class: 'banner warn', role: 'note' },
          `The graph was cut at ${model.nodes.length} nodes (the node cap); lower the depths to see all of a smaller neighbourhood.`,
        ),
      );
    replace(banner, notes);
    drawTagControl();
    drawGraph();
    const centerNode =
      model.nodes.find((n) => n.id === state.sel) ?? model.nodes.find((n) => n.id === center);
    if (centerNode)
      void renderDetails(details, centerNode, {
        asOf: state.asOf,
        current: ctx.current,
        linkParams: linkParams(),
      });
    else
      replace(
        details,
        h('h2', { id: 'details-title' }, 'Not in the graph'),
        h('p', {}, state.asOf ? 'This node did not exist at that time.' : 'No such node.'),
      );
    ctx.say(
      `Graph of ${name}: ${model.nodes.length} nodes, upstream ${state.up}, downstream ${state.down}${state.asOf ? `, as of ${formatTime(state.asOf)}` : ''}`,
    );
  };

  replace(
    ctx.main,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/' }, 'Namespaces'),
      ' / ',
      h('a', { href: href('namespace', [ns]) }, ns),
      ' /',
    ),
    h('h1', {}, h('span', { class: `kind kind-${type}` }, type), ' ', name),
    h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Graph controls' },
      depthInput('depth-up', 'Upstream depth', state.up, (n) => {
        update({ up: n });
        void load();
      }),
      depthInput('depth-down', 'Downstream depth', state.down, (n) => {
        update({ down: n });
        void load();
      }),
      asOfControl(state.asOf, (iso) => {
        update({ asOf: iso });
        void load();
      }),
      tagSlot,
    ),
    banner,
    h(
      'div',
      { class: 'split' },
      h('section', { class: 'graph-section', 'aria-label': 'Lineage graph' }, graphPane),
      details,
    ),
  );
  await load();
}
