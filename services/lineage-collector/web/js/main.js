/* global document, window */
import { h, replace } from './dom.js';
import { go, href, parseHash } from './router.js';
import { ApiError } from './api.js';
import { renderHome, renderNamespace } from './views/home-view.js';
import { renderSearch } from './views/search-view.js';
import { renderNodePage } from './views/node-view.js';
import { renderColumnPage } from './views/column-view.js';
import { renderRunsPage } from './views/runs-view.js';
import { renderConflictsPage } from './views/conflicts-view.js';
import { renderFailuresPage } from './views/failures-view.js';

const main = document.getElementById('main');
const status = document.getElementById('status');
const form = document.getElementById('search-form');
const input = document.getElementById('search-input');
const type = document.getElementById('search-type');

let generation = 0;

/** What every view gets: where to draw, its route, and whether it is still the current one. */
function context() {
  const mine = ++generation;
  return {
    main,
    route: parseHash(),
    current: () => mine === generation,
    say: (text) => {
      if (mine === generation) status.textContent = text;
    },
  };
}

const views = {
  home: renderHome,
  namespace: renderNamespace,
  search: renderSearch,
  dataset: renderNodePage,
  job: renderNodePage,
  column: renderColumnPage,
  runs: renderRunsPage,
  conflicts: renderConflictsPage,
  failures: renderFailuresPage,
};

async function route({ focusMain }) {
  const ctx = context();
  const render = views[ctx.route.view];
  if (ctx.route.view === 'search') {
    input.value = ctx.route.params.get('q') ?? '';
    type.value = ctx.route.params.get('type') ?? '';
  }
  main.setAttribute('aria-busy', 'true');
  try {
    if (!render) {
      replace(
        main,
        h('h1', {}, 'Not found'),
        h(
          'p',
          {},
          'There is no view called ',
          h('code', {}, ctx.route.view),
          '. ',
          h('a', { href: '#/' }, 'Start over'),
        ),
      );
    } else {
      await render(ctx);
    }
  } catch (err) {
    if (!ctx.current()) return;
    const detail = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err?.message ?? err);
    replace(
      main,
      h('h1', {}, 'Something went wrong'),
      h('p', { class: 'error', role: 'alert' }, detail),
      h('p', {}, h('a', { href: '#/' }, 'Back to namespaces')),
    );
  } finally {
    if (ctx.current()) main.removeAttribute('aria-busy');
  }
  if (focusMain && ctx.current()) {
    // Move focus to the new view's heading, so keyboard and screen reader users land on it.
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }
}

// The skip link must not change the hash (that is the router's): it moves focus to the content instead.
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const q = input.value.trim();
  if (!q) return;
  go(href('search', [], { q, type: type.value }));
});

document.addEventListener('keydown', (event) => {
  const target = event.target;
  const typing =
    target instanceof window.HTMLInputElement ||
    target instanceof window.HTMLTextAreaElement ||
    target instanceof window.HTMLSelectElement;
  if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    input.focus();
    input.select();
  }
});

window.addEventListener('hashchange', () => void route({ focusMain: true }));
void route({ focusMain: false });
