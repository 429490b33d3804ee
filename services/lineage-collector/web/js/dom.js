/* global document */
// Every element is built here. Text goes in through textContent only: names from the API are data and
// must never be parsed as markup (a dataset may be called `<img src=x onerror=alert(1)>`).

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('a', { href: '#/x', class: 'link' }, 'text', child) builds an HTML element. Attributes are set with
 * setAttribute (never `on*` handlers from data: use `on: { click }`), strings become text nodes.
 */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (/^on/i.test(key)) {
      throw new Error(`refusing to set ${key}: use { on: { event: handler } }`);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (typeof child === 'string' || typeof child === 'number')
      el.append(document.createTextNode(String(child)));
    else el.append(child);
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Facets and other JSON as readable, indented text. */
export function jsonBlock(value, label) {
  return h(
    'pre',
    { class: 'json', tabindex: '0', 'aria-label': label ?? 'JSON' },
    JSON.stringify(value, null, 2),
  );
}

export function formatTime(value) {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/Z$/, ' UTC');
}

export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${ms} ms`;
  const sec = ms / 1000;
  if (sec < 60) return `${sec.toFixed(1)} s`;
  const min = Math.floor(sec / 60);
  return `${min} min ${Math.round(sec % 60)} s`;
}

/** `1 run`, `2 runs`. */
export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
