// The lineage graph as SVG: layered layout, one focusable element per node, arrow-key navigation
// (left/right follow edges upstream/downstream, up/down move within a column), Enter shows details.
import { h, s } from './dom.js';
import { layeredLayout } from './layout.js';
import { matchesTag, tagLabel } from './tags.js';

const W = 184;
const H = 72;
const COL_GAP = 48;
const ROW_GAP = 16;
/** Wide graphs shrink to fit the pane down to this zoom; beyond it they scroll. */
const MIN_SCALE = 0.75;
const PAD = 16;

/** Middle ellipsis: the start and the end of a qualified name say the most (`shop.pub…customer`). */
export function shorten(text, max = 19) {
  const str = String(text);
  if (str.length <= max) return str;
  const tail = Math.floor((max - 1) * 0.6);
  return `${str.slice(0, max - 1 - tail)}…${str.slice(-tail)}`;
}

const clip = (text, max) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** How far a line may be condensed (SVG textLength) before it is cut with an ellipsis instead. */
const SQUEEZE = 1.6;

/**
 * A line of a node: shown whole when it fits `max` characters, condensed to the box when it is up to
 * SQUEEZE times longer (so the visible text is the name, as assistive technology reads it), and cut in
 * the middle beyond that.
 */
function fitted(text, max) {
  const str = String(text);
  const limit = Math.floor(max * SQUEEZE);
  const shown = str.length <= limit ? str : shorten(str, limit);
  return {
    text: shown,
    attrs: (px) =>
      shown.length > max
        ? { text: shown, textLength: px, lengthAdjust: 'spacingAndGlyphs' }
        : { text: shown },
  };
}

/**
 * @param {HTMLElement} container
 * @param {{ nodes: {id: string, type: string, title: string, subtitle: string, tags: any[]}[],
 *           edges: {from: string, to: string, conflict?: string}[] }} model
 * @param {{ centerId?: string, selectedId?: string, tag?: string, onlyTagged?: boolean, label: string,
 *           onSelect: (id: string) => void, onOpen?: (id: string) => void }} opts
 */
export function renderGraph(container, model, opts) {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  let visible = model.nodes;
  if (opts.tag && opts.onlyTagged) {
    const keep = new Set(
      model.nodes.filter((n) => n.id === opts.centerId || matchesTag(n.tags, opts.tag)).map((n) => n.id),
    );
    // Keep the jobs between kept datasets, so a filtered graph still reads as flows.
    for (const e of model.edges) {
      const a = byId.get(e.from);
      const b = byId.get(e.to);
      if (a?.type === 'JOB' && keep.has(e.to)) keep.add(a.id);
      if (b?.type === 'JOB' && keep.has(e.from)) keep.add(b.id);
    }
    visible = model.nodes.filter((n) => keep.has(n.id));
  }
  const visibleIds = new Set(visible.map((n) => n.id));
  const edges = model.edges.filter((e) => visibleIds.has(e.from) && visibleIds.has(e.to));
  const layout = layeredLayout(visible, edges);
  // With a tag chosen, what carries it: the matching nodes, and the jobs that read one of them.
  const carries = new Set();
  if (opts.tag) {
    for (const n of visible) if (matchesTag(n.tags, opts.tag)) carries.add(n.id);
    for (const e of edges) if (carries.has(e.from) && byId.get(e.to)?.type === 'JOB') carries.add(e.to);
  }

  const tallest = Math.max(1, ...layout.layers.map((l) => l.length));
  const width = PAD * 2 + layout.layers.length * W + Math.max(0, layout.layers.length - 1) * COL_GAP;
  const height = PAD * 2 + tallest * H + (tallest - 1) * ROW_GAP;
  const pos = new Map();
  layout.layers.forEach((layer, l) => {
    const offset = ((tallest - layer.length) * (H + ROW_GAP)) / 2;
    layer.forEach((id, i) =>
      pos.set(id, { x: PAD + l * (W + COL_GAP), y: PAD + offset + i * (H + ROW_GAP) }),
    );
  });

  const succ = new Map();
  const pred = new Map();
  for (const e of edges) {
    if (!succ.has(e.from)) succ.set(e.from, []);
    if (!pred.has(e.to)) pred.set(e.to, []);
    succ.get(e.from).push(e.to);
    pred.get(e.to).push(e.from);
  }

  const svg = s('svg', {
    class: opts.tag ? 'graph highlighting' : 'graph',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'group',
    'aria-label': `${opts.label}: ${visible.length} nodes, ${edges.length} edges. Arrow keys move between nodes, Enter shows details.`,
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: '10',
          refY: '5',
          markerWidth: '7',
          markerHeight: '7',
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }),
      ),
      s(
        'marker',
        {
          id: 'arrow-conflict',
          viewBox: '0 0 10 10',
          refX: '10',
          refY: '5',
          markerWidth: '7',
          markerHeight: '7',
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead conflict' }),
      ),
    ),
  );

  const edgeLayer = s('g', { class: 'edges', 'aria-hidden': 'true' });
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + W;
    const y1 = a.y + H / 2;
    const x2 = b.x;
    const y2 = b.y + H / 2;
    const back = x2 <= x1;
    const dx = back ? 80 : Math.max(30, (x2 - x1) / 2);
    const d = `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
    const tagged = carries.has(e.from);
    const path = s('path', {
      d,
      class: `edge${e.conflict ? ' conflict' : ''}${tagged ? ' tagged' : ''}`,
      'marker-end': e.conflict ? 'url(#arrow-conflict)' : 'url(#arrow)',
      'data-from': e.from,
      'data-to': e.to,
    });
    path.append(
      s('title', { text: e.conflict ? `Residency conflict: ${e.conflict}` : `${e.from} → ${e.to}` }),
    );
    edgeLayer.append(path);
  }
  svg.append(edgeLayer);

  const nodeLayer = s('g', { class: 'nodes' });
  const elements = new Map();
  const initial = visibleIds.has(opts.selectedId)
    ? opts.selectedId
    : visibleIds.has(opts.centerId)
      ? opts.centerId
      : visible[0]?.id;
  for (const n of visible) {
    const p = pos.get(n.id);
    const hit = opts.tag ? carries.has(n.id) : false;
    const classes = [
      'node',
      n.type === 'JOB' ? 'job' : n.type === 'DATASET_FIELD' ? 'field' : 'dataset',
      n.id === opts.centerId ? 'center' : '',
      n.id === opts.selectedId ? 'selected' : '',
      opts.tag ? (hit ? 'tagged' : 'dim') : '',
    ].filter(Boolean);
    // Region is where a dataset is (it does not flow), so it sits on the namespace line; the rest are labels.
    const region = n.tags.find((t) => t.key === 'region' && !t.field)?.value;
    const labels = [
      ...new Set(
        n.tags.filter((t) => t.key !== 'region').map((t) => `${tagLabel(t)}${t.inherited ? '↓' : ''}`),
      ),
    ].sort((a, b) => Number(!a.startsWith('pii')) - Number(!b.startsWith('pii')));
    const tagText = labels.join(' · ');
    const kind = n.type === 'JOB' ? 'job' : n.type === 'DATASET_FIELD' ? 'field' : 'dataset';
    // The scheme says little at this size (`postgres://`); the full namespace is in the label and details.
    const shownNs = n.subtitle.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
    const title = fitted(n.title, 19);
    const sub = fitted(shownNs, 24);
    const tagLine = fitted(tagText, 24);
    // The accessible name starts with the visible text, in order (WCAG 2.5.3, label in name); what is
    // only in the name goes in parentheses after it.
    const spoken = labels.map((l) => (l.endsWith('↓') ? `${l.slice(0, -1)} (inherited)` : l)).join(', ');
    const name = [kind, title.text, sub.text, region ?? '', spoken].filter(Boolean).join(', ');
    const extra = [
      shownNs !== n.subtitle ? `namespace ${n.subtitle}` : '',
      n.id === opts.centerId ? 'graph centre' : '',
    ].filter(Boolean);
    const g = s('g', {
      class: classes.join(' '),
      transform: `translate(${p.x} ${p.y})`,
      tabindex: n.id === initial ? '0' : '-1',
      role: 'button',
      'data-node-id': n.id,
      'aria-label': `${name}${extra.length ? ` (${extra.join('; ')})` : ''}`,
      'aria-pressed': n.id === opts.selectedId ? 'true' : 'false',
    });
    // Spaces between the lines (not drawn in SVG) keep their words apart for assistive technology.
    g.append(
      s('title', {
        text: `${n.title}\n${n.subtitle}${region ? ` (${region})` : ''}${tagText ? `\n${tagText}` : ''}`,
      }),
      s('rect', { class: 'box', width: W, height: H, rx: n.type === 'JOB' ? 22 : 5 }),
      s('text', { class: 'kind', x: 10, y: 15, text: kind.toUpperCase() }),
      ' ',
      s('text', { class: 'title', x: 10, y: 33, ...title.attrs(W - 20) }),
      ' ',
      s('text', { class: 'sub', x: 10, y: 50, ...sub.attrs(W - 20) }),
    );
    if (region) {
      g.append(
        ' ',
        s('text', { class: 'region', x: W - 10, y: 15, 'text-anchor': 'end', text: clip(region, 14) }),
      );
    }
    if (tagText) g.append(' ', s('text', { class: 'tags', x: 10, y: 65, ...tagLine.attrs(W - 20) }));
    g.addEventListener('click', () => {
      focusNode(n.id);
      opts.onSelect(n.id);
    });
    g.addEventListener('dblclick', () => opts.onOpen?.(n.id));
    elements.set(n.id, g);
    nodeLayer.append(g);
  }
  svg.append(nodeLayer);

  function focusNode(id) {
    const el = elements.get(id);
    if (!el) return;
    for (const other of elements.values()) other.setAttribute('tabindex', '-1');
    el.setAttribute('tabindex', '0');
    el.focus();
    el.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }

  function nearest(candidates, fromId) {
    const y = pos.get(fromId).y;
    return [...candidates].sort((a, b) => Math.abs(pos.get(a).y - y) - Math.abs(pos.get(b).y - y))[0];
  }

  svg.addEventListener('keydown', (event) => {
    const id = event.target?.getAttribute?.('data-node-id');
    if (!id) return;
    const layer = layout.layerOf.get(id);
    const order = layout.orderOf.get(id);
    let next;
    switch (event.key) {
      case 'ArrowRight':
        next = succ.get(id)?.length
          ? nearest(succ.get(id), id)
          : layout.layers[layer + 1]?.length
            ? nearest(layout.layers[layer + 1], id)
            : undefined;
        break;
      case 'ArrowLeft':
        next = pred.get(id)?.length
          ? nearest(pred.get(id), id)
          : layout.layers[layer - 1]?.length
            ? nearest(layout.layers[layer - 1], id)
            : undefined;
        break;
      case 'ArrowDown':
        next = layout.layers[layer][order + 1];
        break;
      case 'ArrowUp':
        next = layout.layers[layer][order - 1];
        break;
      case 'Home':
        next = layout.layers[layer][0];
        break;
      case 'End':
        next = layout.layers[layer].at(-1);
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        opts.onSelect(id);
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next) focusNode(next);
  });

  const legend = h(
    'p',
    { class: 'legend' },
    h('span', { class: 'swatch dataset', 'aria-hidden': 'true' }),
    ' dataset ',
    h('span', { class: 'swatch job', 'aria-hidden': 'true' }),
    ' job ',
    h('span', { class: 'swatch conflict', 'aria-hidden': 'true' }),
    ' residency conflict · ↓ tag inherited from upstream · ',
    `${visible.length} of ${model.nodes.length} nodes shown`,
  );
  const scroller = h('div', { class: 'graph-scroll' }, svg);
  container.replaceChildren(scroller, legend);
  // Fit the pane when a little zoom is enough; keep text readable and scroll otherwise.
  const room = scroller.clientWidth - 2;
  const scale = room > 0 ? Math.min(1, Math.max(MIN_SCALE, room / width)) : 1;
  svg.setAttribute('width', String(Math.round(width * scale)));
  svg.setAttribute('height', String(Math.round(height * scale)));
  if (room > 0 && width * scale > room + 1) legend.append(' · scroll the graph to see the rest');
  const focusAt = pos.get(initial);
  if (focusAt) {
    scroller.scrollLeft = Math.max(0, (focusAt.x + W / 2) * scale - scroller.clientWidth / 2);
    scroller.scrollTop = Math.max(0, (focusAt.y + H / 2) * scale - scroller.clientHeight / 2);
  }
  return { focus: focusNode, hasNode: (id) => elements.has(id) };
}
