/* global window, URLSearchParams */
// Hash routes, so every view is a shareable link and the server only ever serves `/`:
//   #/                                  home (namespaces, residency conflicts)
//   #/search?q=&type=                   search results
//   #/namespace/<ns>                    datasets and jobs of a namespace
//   #/dataset/<ns>/<name>?up=&down=&asOf=&tag=&only=&sel=
//   #/job/<ns>/<name>?...               the same for a job
//   #/column/<ns>/<dataset>/<field>?depth=&down=&asOf=
//   #/runs/<ns>/<job>?failed=1          runs of a job, failures with their error messages
//   #/conflicts                         residency conflicts
//   #/failures                          failed runs across jobs
// Path segments are URI-encoded, so names with `/`, `:`, `?` or `#` survive.

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#/, '');
  const qi = raw.indexOf('?');
  const pathPart = qi === -1 ? raw : raw.slice(0, qi);
  const params = new URLSearchParams(qi === -1 ? '' : raw.slice(qi + 1));
  const segments = pathPart
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { view: segments[0] ?? 'home', args: segments.slice(1), params };
}

export function href(view, args = [], params = {}) {
  const path = [view, ...args].map((s) => encodeURIComponent(s)).join('/');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.set(k, v === true ? '1' : String(v));
  }
  const qs = q.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

/**
 * Changes some params of the current route in place (history.replaceState, no hashchange): views that
 * redraw part of themselves keep the link shareable without losing the user's focus.
 */
export function setParams(changes) {
  const { view, args, params } = parseHash();
  const next = Object.fromEntries(params.entries());
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '' || v === false) delete next[k];
    else next[k] = v === true ? '1' : String(v);
  }
  window.history.replaceState(null, '', href(view, args, next));
  return parseHash();
}

export function go(target, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, '', target);
  if (replace || window.location.hash === target)
    window.dispatchEvent(new window.HashChangeEvent('hashchange'));
  else window.location.hash = target;
}
