import { api } from '../api.js';
import { formatDuration, formatTime, h, jsonBlock, replace } from '../dom.js';
import { fieldTags, tagsOf } from '../tags.js';
import { columnHref, datasetHref, jobHref, nodeHref, runsHref } from '../links.js';
import { tagChips } from './tag-chips.js';
import { runState } from './home-view.js';

/** Owners from the ownership facet (datasets and jobs), or a collector's `owners`. */
export function ownersOf(data) {
  const list = data?.owners ?? data?.facets?.ownership?.owners ?? [];
  return Array.isArray(list) ? list.filter((o) => o && typeof o.name === 'string') : [];
}

export function errorOf(run) {
  const f = run?.facets?.errorMessage;
  if (f && typeof f.message === 'string') return f;
  return typeof run?.errorMessage === 'string' ? { message: run.errorMessage } : null;
}

function dl(pairs) {
  return h(
    'dl',
    { class: 'props' },
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

function facetsSection(facets, title = 'Facets') {
  const entries = Object.entries(facets ?? {});
  if (!entries.length) return null;
  return h(
    'section',
    { class: 'facets' },
    h('h3', {}, `${title} (${entries.length})`),
    entries.map(([key, value]) => h('details', {}, h('summary', {}, key), jsonBlock(value, `${key} facet`))),
  );
}

function schemaTable(ns, name, data, linkParams = {}) {
  const fields = Array.isArray(data?.fields) ? data.fields : [];
  const tags = tagsOf(data);
  if (!fields.length) return h('p', { class: 'muted' }, 'No schema recorded.');
  return h(
    'table',
    { class: 'schema' },
    h('caption', {}, `Schema (${fields.length} fields)`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Field'),
        h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col' }, 'Tags'),
      ),
    ),
    h(
      'tbody',
      {},
      fields.map((f) =>
        h(
          'tr',
          { 'data-field': f.name },
          h(
            'th',
            { scope: 'row' },
            h(
              'a',
              {
                href: columnHref(ns, name, f.name, { asOf: linkParams.asOf }),
                title: `Column lineage of ${f.name}`,
              },
              f.name,
            ),
            f.description ? h('div', { class: 'muted small' }, f.description) : null,
          ),
          h('td', {}, f.type ?? '—'),
          h('td', {}, tagChips(fieldTags(tags, f.name)) ?? '—'),
        ),
      ),
    ),
  );
}

/** Runs, newest first; `more(run)` adds to each line (a dataset's runs name their job). */
function runsList(runs, more = () => null) {
  if (!runs.length) return h('p', { class: 'muted' }, 'No runs recorded.');
  return h(
    'ul',
    { class: 'runs plain' },
    runs.map((r) => {
      const err = errorOf(r);
      return h(
        'li',
        { class: err || /fail|abort/i.test(r.state ?? '') ? 'failed' : '', 'data-run-id': r.id ?? '' },
        runState(r.state),
        ' ',
        formatTime(r.startedAt ?? r.createdAt),
        ' · ',
        formatDuration(r.durationMs),
        more(r),
        err ? h('div', { class: 'error-message' }, err.message) : null,
      );
    }),
  );
}

/** `read by <job>` / `written by <job>`, linking to the job. */
function accessBy(r, linkParams) {
  const job = r.job;
  if (!job || typeof job.name !== 'string') return null;
  const verb = r.reads && r.writes ? 'read and written' : r.writes ? 'written' : 'read';
  return h(
    'span',
    { class: 'run-access' },
    ` · ${verb} by `,
    h('a', { href: jobHref(job.namespace, job.name, linkParams) }, job.name),
  );
}

/**
 * Fills the details panel for a graph node. `node` is from graphModel; the full resource is fetched.
 */
export async function renderDetails(panel, node, { asOf, current, linkParams }) {
  const heading = h('h2', { id: 'details-title' }, node.title);
  replace(panel, heading, h('p', { class: 'muted' }, 'Loading details…'));
  if (node.type === 'JOB') {
    // At a point in time the job is fetched as it was then (inputs, outputs, version, latest run).
    const [job, runs, versions] = await Promise.all([
      api.job(node.namespace, node.name, asOf || undefined).catch(() => node.data),
      asOf ? null : api.runs(node.namespace, node.name, 5).catch(() => null),
      api.jobVersions(node.namespace, node.name, 5).catch(() => null),
    ]);
    if (!current()) return;
    const owners = ownersOf(job);
    const tags = tagsOf(job);
    replace(
      panel,
      heading,
      h(
        'p',
        { class: 'kind-line' },
        h('span', { class: 'kind kind-job' }, 'job'),
        ' ',
        h('a', { href: nodeHref(node, linkParams) }, 'Centre the graph here'),
      ),
      dl([
        ['Namespace', job?.namespace ?? node.namespace],
        ['Type', job?.type],
        ['Description', job?.description],
        ['Location', job?.location],
        [
          'Owners',
          owners.length
            ? owners.map((o) => `${o.name}${o.type ? ` (${o.type})` : ''}`).join(', ')
            : undefined,
        ],
        ['Tags', tagChips(tags)],
        ['Updated', job?.updatedAt ? formatTime(job.updatedAt) : undefined],
        [
          'Version',
          job?.currentVersion ? h('code', { class: 'small' }, job.currentVersion.slice(0, 8)) : undefined,
        ],
      ]),
      asOf
        ? h(
            'p',
            { class: 'muted small as-of-note' },
            `Job as of ${formatTime(asOf)}: inputs, outputs, version and latest run then; facets and tags as now.`,
          )
        : null,
      h(
        'section',
        {},
        h('h3', {}, 'Inputs and outputs'),
        ioList('Reads', job?.inputs, linkParams),
        ioList('Writes', job?.outputs, linkParams),
      ),
      h(
        'section',
        {},
        h('h3', {}, asOf ? `Latest run as of ${formatTime(asOf)}` : 'Latest runs'),
        runsList(runs?.runs ?? job?.latestRuns ?? (job?.latestRun ? [job.latestRun] : [])),
        h('p', {}, h('a', { href: runsHref(node.namespace, node.name) }, 'All runs and failures')),
      ),
      versionsSection(versions?.versions, job?.currentVersion, 'Job versions'),
      facetsSection(job?.facets, 'Job facets'),
    );
    return;
  }
  // At a point in time the dataset is fetched as it was then: the version current then, its facets and
  // the schema in effect then.
  const [dataset, versions, runs] = await Promise.all([
    api.dataset(node.namespace, node.name, asOf || undefined).catch(() => node.data),
    api.datasetVersions(node.namespace, node.name, 5).catch(() => null),
    api.datasetRuns(node.namespace, node.name, 5, asOf || undefined).catch(() => null),
  ]);
  if (!current()) return;
  const owners = ownersOf(dataset);
  const tags = tagsOf(dataset);
  const schemaSource = dataset;
  const hasSchema = Array.isArray(dataset?.fields) && dataset.fields.length > 0;
  const schemaNote = !asOf
    ? null
    : hasSchema
      ? `Dataset as of ${formatTime(asOf)}: the version, schema and facets then, and the runs started by then; tags as now.`
      : `No schema version was recorded for this dataset by ${formatTime(asOf)}.`;
  replace(
    panel,
    heading,
    h(
      'p',
      { class: 'kind-line' },
      h('span', { class: 'kind kind-dataset' }, 'dataset'),
      ' ',
      h('a', { href: nodeHref(node, linkParams) }, 'Centre the graph here'),
    ),
    dl([
      ['Namespace', dataset?.namespace ?? node.namespace],
      ['Source', dataset?.sourceName],
      ['Type', dataset?.type],
      ['Description', dataset?.description],
      [
        'Owners',
        owners.length ? owners.map((o) => `${o.name}${o.type ? ` (${o.type})` : ''}`).join(', ') : undefined,
      ],
      ['Tags', tagChips(tags.filter((t) => !t.field))],
      ['Region', dataset?.region],
      ['Updated', dataset?.updatedAt ? formatTime(dataset.updatedAt) : undefined],
    ]),
    schemaNote ? h('p', { class: 'muted small as-of-note' }, schemaNote) : null,
    schemaTable(node.namespace, node.name, schemaSource, linkParams),
    h(
      'section',
      { class: 'dataset-runs' },
      h('h3', {}, asOf ? `Latest runs as of ${formatTime(asOf)}` : 'Latest runs'),
      runs
        ? runsList(runs.runs ?? [], (r) => accessBy(r, linkParams))
        : h('p', { class: 'muted' }, 'Runs could not be read.'),
    ),
    versionsSection(versions?.versions, dataset?.currentVersion, 'Versions'),
    facetsSection(dataset?.facets, 'Dataset facets'),
  );
}

function ioList(label, list, linkParams) {
  const items = Array.isArray(list) ? list : [];
  return h(
    'div',
    {},
    h('h4', {}, `${label} (${items.length})`),
    items.length
      ? h(
          'ul',
          { class: 'plain' },
          items.map((d) =>
            h(
              'li',
              {},
              h('a', { href: datasetHref(d.namespace, d.name, linkParams) }, d.name),
              h('div', { class: 'muted small' }, d.namespace),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'none'),
  );
}

/** Recent versions, newest first; the one current (now, or at the point in time) is marked. */
function versionsSection(versions, currentVersion, title) {
  if (!Array.isArray(versions) || !versions.length) return null;
  return h(
    'section',
    {},
    h('h3', {}, title),
    h(
      'ol',
      { class: 'versions plain' },
      versions.map((v) =>
        h(
          'li',
          (v.version ?? v.id?.version) === currentVersion ? { class: 'current', 'aria-current': 'true' } : {},
          (v.version ?? v.id?.version) === currentVersion ? h('strong', {}, 'current · ') : null,
          formatTime(v.createdAt),
          ' ',
          h('code', { class: 'small' }, String(v.version ?? v.id?.version ?? '').slice(0, 8)),
          Array.isArray(v.fields)
            ? h('span', { class: 'muted small' }, ` · ${v.fields.length} fields`)
            : null,
        ),
      ),
    ),
  );
}

export { jobHref };
