import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { accessibilityViolations, watchedPage } from './browser.ts';
import type { WatchedPage } from './browser.ts';
import { ABORT_MESSAGE, BEFORE_EXPORT, FAILURE_MESSAGE, NS, PARTNER_NS, XSS_NAME } from './ui-fixtures.ts';
import { startUiHarness } from './ui-harness.ts';
import type { UiHarness } from './ui-harness.ts';

const ds = (ns: string, name: string) => `dataset:${ns}:${name}`;
const job = (name: string) => `job:${NS.jobs}:${name}`;
const CUSTOMER = ds(NS.oltp, 'shop.public.customer');
const COUNTRY = ds(NS.oltp, 'shop.public.country_codes');
const US_SINK = ds(NS.us, 'analytics.public.customer');
const EU_SINK = ds(NS.eu, 'analytics.public.customer');
const REPORT = ds(NS.us, 'reports.customer_daily');
const EXPORT = ds(NS.us, 'exports.customer_csv');
const XSS = ds(NS.us, XSS_NAME);
const enc = encodeURIComponent;
const datasetHash = (ns: string, name: string, q = '') => `#/dataset/${enc(ns)}/${enc(name)}${q}`;

/** What page.evaluate callbacks touch (the workspace compiles without the DOM lib). */
interface BrowserGlobals {
  document: {
    activeElement: {
      id: string;
      textContent: string | null;
      getAttribute(name: string): string | null;
      matches(selector: string): boolean;
    } | null;
    body: { innerHTML: string };
  };
}

/** The selector of a graph node by its Marquez node id. */
const node = (id: string) => `svg.graph g.node[data-node-id=${JSON.stringify(id)}]`;

describe('lineage UI: user stories in headless Chromium', { timeout: 30_000 }, () => {
  let harness: UiHarness | undefined;
  let browser: Browser;
  let base: string;
  let w: WatchedPage | undefined;

  beforeAll(async () => {
    harness = await startUiHarness();
    base = harness.base;
    browser = harness.browser;
  });

  afterEach(async () => {
    const page = w;
    w = undefined;
    if (!page) return;
    await page.context.close();
    // Every story: nothing left 127.0.0.1, no dialog fired, no script error or CSP violation.
    expect(page.offHost).toEqual([]);
    expect(page.dialogs).toEqual([]);
    expect(page.errors).toEqual([]);
    expect(page.requests.length).toBeGreaterThan(3);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const open = async (hash = '#/') => {
    w = await watchedPage(browser);
    await w.page.goto(`${base}/${hash}`);
    return w.page;
  };

  it('serves the page and its assets with content types, revalidation and a strict CSP', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const etag = page.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect((await fetch(`${base}/`, { headers: { 'if-none-match': etag! } })).status).toBe(304);

    for (const [path, type] of [
      ['/js/main.js', 'text/javascript; charset=utf-8'],
      ['/js/views/node-view.js', 'text/javascript; charset=utf-8'],
      ['/app.css', 'text/css; charset=utf-8'],
      ['/favicon.svg', 'image/svg+xml'],
    ] as const) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(await res.text(), path).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
    for (const path of [
      '/js/nope.js',
      '/js/layout.test.js',
      '/js/../package.json',
      '/js/%2e%2e/package.json',
    ]) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(404);
    }
    const missing = (await (await fetch(`${base}/js/nope.js`)).json()) as { code: string };
    expect(missing.code).toBe('LIN_UI_ASSET_NOT_FOUND');
  });

  it('search -> dataset -> graph -> depths -> node details with field tags', async () => {
    const page = await open();
    await page.locator('h1', { hasText: 'Namespaces' }).waitFor();
    await page.fill('#search-input', 'customer');
    await page.press('#search-input', 'Enter');
    const hit = page.locator('ol.results a', { hasText: /^shop\.public\.customer$/ });
    await hit.waitFor();
    await w!.shot('01-search-results');
    expect(await accessibilityViolations(page)).toEqual([]);
    await hit.click();

    await page.locator(node(CUSTOMER)).waitFor();
    await expect.poll(() => page.locator('h1').textContent()).toContain('shop.public.customer');
    for (const id of [job('customer_to_us'), US_SINK, EU_SINK, job('us_daily_report'), REPORT, EXPORT]) {
      expect(await page.locator(node(id)).count(), id).toBe(1);
    }
    // The residency conflict is drawn on the edge into the US sink.
    expect(
      await page.locator(`path.edge.conflict[data-from=${JSON.stringify(job('customer_to_us'))}]`).count(),
    ).toBe(1);
    expect(await page.locator(`path.edge.conflict[data-to=${JSON.stringify(EU_SINK)}]`).count()).toBe(0);

    // Downstream depth 1 stops at the sinks; 2 reaches the report again.
    await page.fill('#depth-down', '1');
    await page.press('#depth-down', 'Tab');
    // The change redraws the graph ("Loading…" first): wait for the new graph, then look.
    await page.locator(node(US_SINK)).waitFor();
    expect(await page.locator(node(REPORT)).count()).toBe(0);
    expect(page.url()).toContain('down=1');
    await page.fill('#depth-down', '2');
    await page.press('#depth-down', 'Tab');
    await page.locator(node(REPORT)).waitFor();

    // Details of the center: owners, direct field tags, facets as JSON.
    const details = page.locator('#details');
    await details.locator('h2', { hasText: 'shop.public.customer' }).waitFor();
    await expect.poll(() => details.textContent()).toContain('team:crm');
    const emailTags = details.locator('tr[data-field="email"] .chip');
    await expect.poll(() => emailTags.allTextContents()).toEqual(['pii']);
    expect(await details.locator('tr[data-field="status"] .chip').count()).toBe(0);
    const tagsFacet = details
      .locator('details')
      .filter({ has: page.locator('summary', { hasText: /^tags$/ }) });
    await tagsFacet.locator('summary').click();
    await expect.poll(() => tagsFacet.locator('pre.json').textContent()).toContain('"residency"');
    expect(await tagsFacet.locator('pre.json').isVisible()).toBe(true);

    // Another node: the US sink inherits pii on email through column lineage, and sits in us-east-1.
    await page.locator(node(US_SINK)).click();
    await details.locator('h2', { hasText: 'analytics.public.customer' }).waitFor();
    await expect.poll(() => details.textContent()).toContain(NS.us);
    await expect.poll(() => details.textContent()).toContain('us-east-1');
    await expect
      .poll(() => details.locator('tr[data-field="email"] .chip').allTextContents())
      .toEqual(['pii (inherited)']);
    expect(await details.locator('tr[data-field="status"] .chip').count()).toBe(0);
    expect(page.url()).toContain(`sel=${enc(US_SINK)}`);
    await w!.shot('02-graph-and-details');
    expect(await accessibilityViolations(page)).toEqual([]);

    // A node cap cuts the graph and the page says so.
    await page.goto(`${base}/${datasetHash(NS.oltp, 'shop.public.customer', '?max=3')}`);
    await page.locator('.banner.warn', { hasText: 'cut at 3 nodes' }).waitFor();
    expect(await page.locator('svg.graph g.node').count()).toBe(3);
  });

  it('filters and highlights by the pii tag', async () => {
    const page = await open(datasetHash(NS.us, 'analytics.public.customer', '?up=1&down=1'));
    await page.locator(node(COUNTRY)).waitFor();
    await page.selectOption('#tag-filter', 'pii');
    await expect.poll(() => page.locator(node(COUNTRY)).getAttribute('class')).toContain('dim');
    for (const id of [CUSTOMER, US_SINK, REPORT, job('customer_to_us')]) {
      expect(await page.locator(node(id)).getAttribute('class'), id).toContain('tagged');
    }
    expect(page.url()).toContain('tag=pii');
    // The live region tells screen reader users what the highlight found.
    await expect.poll(() => page.locator('#status').textContent()).toBe('3 datasets tagged pii');
    await w!.shot('03-highlight-pii');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.check('#tag-only');
    await page.locator(node(COUNTRY)).waitFor({ state: 'detached' });
    // Jobs between tagged datasets stay, so the filtered graph still reads as flows.
    expect(await page.locator(node(job('customer_to_us'))).count()).toBe(1);
    expect(await page.locator(node(CUSTOMER)).count()).toBe(1);
    await w!.shot('04-only-pii');
    // The state is in the link: a reload shows the same filtered graph.
    await page.reload();
    await page.locator(node(CUSTOMER)).waitFor();
    expect(await page.locator(node(COUNTRY)).count()).toBe(0);
    expect(await page.isChecked('#tag-only')).toBe(true);
  });

  it('lists residency conflicts with their reason, and finds data by tag', async () => {
    const page = await open('#/conflicts');
    const rows = page.locator('table.conflicts tbody tr');
    await rows.first().waitFor();
    const us = rows.filter({ hasText: 'customer_to_us' });
    expect(await us.count()).toBe(1);
    expect(await us.textContent()).toContain('us-east-1');
    expect(await us.textContent()).toContain('shop.public.customer');
    expect(await us.textContent()).toContain('none recorded');
    // The reason, as text, with its code: the destination is known to be outside the EEA.
    expect(await us.locator('td.reason div').textContent()).toBe(
      'the destination is in a region outside the EEA',
    );
    expect(await us.locator('td.reason code').textContent()).toBe('RESIDENCY_REGION_OUTSIDE_EEA');
    // A destination without a region is flagged too, and says so.
    const partner = rows.filter({ hasText: 'customer_to_partner' });
    expect(await partner.count()).toBe(1);
    expect(await partner.locator('.unknown-region').textContent()).toBe('unknown region');
    expect(await partner.textContent()).toContain(`${PARTNER_NS} · unknown region`);
    expect(await partner.locator('td.reason div').textContent()).toBe(
      'the destination has no region or residency tag: an unknown region is not assumed to be in the EEA',
    );
    expect(await partner.locator('td.reason code').textContent()).toBe(
      'RESIDENCY_UNKNOWN_DESTINATION_REGION',
    );
    expect(await rows.filter({ hasText: 'customer_to_eu' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('residency=eea and write it');
    await w!.shot('11-residency-conflicts');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.selectOption('#search-type', 'TAG');
    await page.fill('#search-input', 'pii');
    await page.press('#search-input', 'Enter');
    const hit = page.locator('ol.results a', { hasText: /^pii on shop\.public\.customer\.email$/ });
    await hit.waitFor();
    expect(new Set(await page.locator('ol.results .kind').allTextContents())).toEqual(new Set(['tag']));
    expect(await page.locator('ol.results a', { hasText: '(inherited)' }).count()).toBeGreaterThan(0);
    await hit.click();
    await page.locator(node(CUSTOMER)).waitFor();
    expect(await page.locator('#tag-filter').inputValue()).toBe('pii');
    expect(await page.locator(node(CUSTOMER)).getAttribute('class')).toContain('tagged');
    expect(await page.locator(node(EU_SINK)).getAttribute('class')).toContain('tagged');
  });

  it('shows the column lineage of a field, from the schema table', async () => {
    const page = await open(datasetHash(NS.us, 'analytics.public.customer'));
    const emailLink = page.locator('#details tr[data-field="email"] a', { hasText: 'email' });
    await emailLink.click();
    const source = `datasetField:${NS.oltp}:shop.public.customer:email`;
    await page.locator(node(source)).waitFor();
    await expect.poll(() => page.locator('h1').textContent()).toContain('analytics.public.customer.email');
    const details = page.locator('#details');
    await expect.poll(() => details.textContent()).toContain('shop.public.customer.email');
    await expect.poll(() => details.textContent()).toContain('DIRECT · IDENTITY');
    // Only email's lineage: no other field of the source is drawn.
    expect(await page.locator(node(`datasetField:${NS.oltp}:shop.public.customer:name`)).count()).toBe(0);
    await w!.shot('05-column-lineage-email');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Real Spark events (the CLL compatibility scenario): tbl1.ident comes from cll_source1.a among others.
    await page.goto(`${base}/#/column/file/${enc('/tmp/cll_test/tbl1')}/ident`);
    await page.locator(node('datasetField:file:/tmp/cll_test/cll_source1:a')).waitFor();
    expect(await page.locator(node('datasetField:file:/tmp/cll_test/cll_source2:a')).count()).toBe(1);
    await expect.poll(() => details.textContent()).toContain('INDIRECT · GROUP_BY');
    await w!.shot('06-column-lineage-spark');
  });

  it('a point in time hides an edge recorded later, and the link keeps it', async () => {
    const page = await open(datasetHash(NS.oltp, 'shop.public.customer'));
    await page.locator(node(job('customer_export'))).waitFor();
    await page.fill('#as-of', BEFORE_EXPORT);
    await page.press('#as-of', 'Tab');
    await page.locator('.banner.asof').waitFor();
    await page.locator(node(job('customer_to_us'))).waitFor();
    expect(await page.locator(node(job('customer_export'))).count()).toBe(0);
    expect(await page.locator(node(EXPORT)).count()).toBe(0);
    expect(page.url()).toContain(`asOf=${enc('2026-02-01T00:00:00.000Z')}`);
    await w!.shot('07-point-in-time');
    await page.reload();
    await page.locator(node(job('customer_to_us'))).waitFor();
    expect(await page.locator(node(job('customer_export'))).count()).toBe(0);
    await page.click('button:has-text("Now")');
    await page.locator(node(job('customer_export'))).waitFor();
  });

  it('a point in time applies to the details and to column lineage', async () => {
    // us_daily_report ran fine on Jan 11 and failed on Jan 12: on Jan 11 at noon its latest run is the good one.
    const asOf = '2026-01-11T12:00:00.000Z';
    const page = await open(`#/job/${enc(NS.jobs)}/us_daily_report?asOf=${enc(asOf)}`);
    const details = page.locator('#details');
    await details.locator('.as-of-note').waitFor();
    await details.locator('.runs li').first().waitFor();
    expect(await details.locator('.runs li').count()).toBe(1);
    expect(await details.locator('.runs li.failed').count()).toBe(0);
    await w!.shot('07b-job-details-point-in-time');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.click('button:has-text("Now")');
    await details.locator('.runs li.failed .error-message').waitFor();
    expect(await details.locator('.as-of-note').count()).toBe(0);

    // The dataset as of then, and its schema links keep the time for the column lineage.
    await page.goto(`${base}/${datasetHash(NS.us, 'analytics.public.customer', `?asOf=${enc(asOf)}`)}`);
    await details.locator('.as-of-note').waitFor();
    await details.locator('.versions li.current').waitFor();
    await details.locator('tr[data-field="email"] a').click();
    await page.locator(node(`datasetField:${NS.oltp}:shop.public.customer:email`)).waitFor();
    expect(page.url()).toContain(`asOf=${enc(asOf)}`);
    // Before the sink existed there is no column lineage to show.
    await page.fill('#as-of', '2026-01-01T00:00:00');
    await page.press('#as-of', 'Tab');
    await expect.poll(() => page.locator('#graph [role="alert"]').textContent()).toContain('did not exist');
    // The browser logs that answer (404 LIN_NODE_NOT_FOUND, the expected one) as a console error.
    const expected = w!.errors.filter((e) => e.includes('status of 404'));
    expect(expected).toHaveLength(1);
    w!.errors.splice(w!.errors.indexOf(expected[0]!), 1);
  });

  it('failed runs show their error message, across jobs and per job', async () => {
    const page = await open('#/');
    await page.click('nav a:has-text("Failed runs")');
    const row = page.locator('table.failures tbody tr', { hasText: 'us_daily_report' });
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.locator('.error-message').textContent()).toBe(FAILURE_MESSAGE);
    await w!.shot('08a-failed-runs');
    expect(await accessibilityViolations(page)).toEqual([]);
    await row.locator('a', { hasText: 'us_daily_report' }).click();
    const details = page.locator('#details');
    await details.locator('.runs li.failed .error-message').waitFor();
    expect(await details.locator('.runs li.failed .error-message').first().textContent()).toBe(
      FAILURE_MESSAGE,
    );
    await page.locator(node(REPORT)).waitFor();
    await w!.shot('08-job-graph-and-runs');
    await details.locator('a', { hasText: 'All runs and failures' }).click();
    const failed = page.locator('table.runs-table tbody tr.failed');
    await failed.first().waitFor();
    expect(await page.locator('table.runs-table tbody tr').count()).toBe(2);
    expect(await failed.count()).toBe(1);
    expect(await failed.locator('.state').textContent()).toMatch(/^FAIL/);
    expect(await failed.locator('.error-message').textContent()).toBe(FAILURE_MESSAGE);
    await failed.locator('summary').click();
    await expect.poll(() => failed.locator('pre').textContent()).toContain('CONTEXT:  INSERT INTO');
    await page.check('#failed-only');
    await expect.poll(() => page.locator('table.runs-table tbody tr').count()).toBe(1);
    await failed.locator('summary').click();
    await failed.locator('pre').waitFor();
    await w!.shot('08b-runs-of-job');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('failed runs come from the runs table a page at a time, aborted ones included', async () => {
    const page = await open('#/failures?per=1');
    const rows = page.locator('table.failures tbody tr');
    await rows.first().waitFor();
    // Newest failure first: the partner upload aborted on Jan 13, after the report failed on Jan 12.
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('customer_to_partner');
    expect(await rows.first().locator('.state').textContent()).toBe('ABORTED');
    expect(await rows.first().locator('.error-message').textContent()).toBe(ABORT_MESSAGE);
    const pager = page.locator('nav.pager');
    expect(await pager.textContent()).toContain('Page 1 of 2 (1–1 of 2)');
    expect(await pager.locator('a[rel="prev"]').count()).toBe(0);
    await pager.locator('a[rel="next"]').click();
    await page.locator('table.failures tbody tr', { hasText: 'us_daily_report' }).waitFor();
    expect(page.url()).toContain('page=2');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('.state').textContent()).toBe('FAILED');
    expect(await rows.first().locator('.error-message').textContent()).toBe(FAILURE_MESSAGE);
    expect(await pager.textContent()).toContain('Page 2 of 2 (2–2 of 2)');
    expect(await pager.locator('a[rel="next"]').count()).toBe(0);
    // The page reads the runs table, never the raw event log.
    expect(w!.requests.some((u) => u.includes('/api/v1/runs?'))).toBe(true);
    expect(w!.requests.some((u) => u.includes('/api/v1/events/lineage'))).toBe(false);
    await w!.shot('08c-failed-runs-page-2');
    expect(await accessibilityViolations(page)).toEqual([]);
    await pager.locator('a[rel="prev"]').click();
    await page.locator('table.failures tbody tr', { hasText: 'customer_to_partner' }).waitFor();
  });

  it('dataset details list the latest runs that wrote or read it, with state, time and job', async () => {
    const page = await open(datasetHash(NS.us, 'reports.customer_daily'));
    const details = page.locator('#details');
    const runs = details.locator('section.dataset-runs .runs li');
    await runs.first().waitFor();
    expect(await details.locator('section.dataset-runs h3').textContent()).toBe('Latest runs');
    expect(await runs.count()).toBe(2);
    // Newest first: the failed run of Jan 12, with its error, then the good one of Jan 11.
    expect(await runs.nth(0).getAttribute('class')).toBe('failed');
    expect(await runs.nth(0).locator('.state').textContent()).toBe('FAILED');
    expect(await runs.nth(0).textContent()).toContain('2026-01-12 02:00:00 UTC');
    expect(await runs.nth(0).locator('.run-access').textContent()).toBe(' · written by us_daily_report');
    expect(await runs.nth(0).locator('.error-message').textContent()).toBe(FAILURE_MESSAGE);
    expect(await runs.nth(1).locator('.state').textContent()).toBe('COMPLETED');
    expect(await runs.nth(1).textContent()).toContain('2026-01-11 02:00:00 UTC');
    await details.locator('section.dataset-runs').scrollIntoViewIfNeeded();
    await w!.shot('12-dataset-latest-runs');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The US sink: written by customer_to_us, read by both runs of the report.
    await page.locator(node(US_SINK)).click();
    await details.locator('h2', { hasText: 'analytics.public.customer' }).waitFor();
    await expect
      .poll(() => runs.locator('.run-access').allTextContents())
      .toEqual([' · read by us_daily_report', ' · read by us_daily_report', ' · written by customer_to_us']);
    // The job link keeps the graph's settings and opens the job.
    await runs.last().locator('a', { hasText: 'customer_to_us' }).click();
    await details.locator('h2', { hasText: 'customer_to_us' }).waitFor();

    // At a point in time, only the runs started by then.
    await page.goto(
      `${base}/${datasetHash(NS.us, 'reports.customer_daily', `?asOf=${enc('2026-01-11T12:00:00.000Z')}`)}`,
    );
    await details.locator('section.dataset-runs h3', { hasText: 'Latest runs as of' }).waitFor();
    await expect.poll(() => runs.count()).toBe(1);
    expect(await runs.first().locator('.state').textContent()).toBe('COMPLETED');
  });

  it('works by keyboard alone: skip link, search, results, graph arrows, Enter for details', async () => {
    const page = await open('#/');
    await page.locator('h1', { hasText: 'Namespaces' }).waitFor();
    await page.locator('table.list a', { hasText: NS.oltp }).waitFor();
    await w!.shot('00-namespaces');
    expect(await accessibilityViolations(page)).toEqual([]);
    const active = () =>
      page.evaluate(() => {
        const el = (globalThis as unknown as BrowserGlobals).document.activeElement;
        return {
          id: el?.id ?? '',
          text: (el?.textContent ?? '').trim().slice(0, 80),
          node: el?.getAttribute('data-node-id') ?? null,
          label: el?.getAttribute('aria-label') ?? '',
          visible: el ? el.matches(':focus-visible') : false,
        };
      });
    await page.keyboard.press('Tab');
    expect((await active()).text).toBe('Skip to content');
    expect((await active()).visible).toBe(true);
    await page.keyboard.press('Enter');
    expect((await active()).id).toBe('main');

    await page.keyboard.press('/');
    expect((await active()).id).toBe('search-input');
    await page.keyboard.type('country_codes');
    await page.keyboard.press('Enter');
    await page.locator('ol.results a').first().waitFor();
    await expect.poll(async () => (await active()).text).toContain('Search: country_codes');
    await page.keyboard.press('Tab');
    expect((await active()).text).toBe('shop.public.country_codes');
    await page.keyboard.press('Enter');
    await page.locator(node(COUNTRY)).waitFor();

    // Tab into the graph: one tab stop for the whole graph, on its centre.
    let focused = await active();
    for (let i = 0; i < 20 && focused.node === null; i++) {
      await page.keyboard.press('Tab');
      focused = await active();
    }
    expect(focused.node).toBe(COUNTRY);
    expect(focused.visible).toBe(true);
    expect(focused.label).toMatch(
      // Stored in an EEA region, so it is EEA-resident data (residency=EEA from its region).
      /^dataset, shop\.public\.country_codes, oltp:5432, eu-west-1, residency=EEA \(namespace postgres:\/\/oltp:5432; graph centre\)$/,
    );
    await page.keyboard.press('ArrowRight');
    expect((await active()).node).toBe(job('customer_to_us'));
    await page.keyboard.press('ArrowRight');
    expect((await active()).node).toBe(US_SINK);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect((await active()).node).toBe(COUNTRY);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.locator('#details h2', { hasText: 'analytics.public.customer' }).waitFor();
    // Focus stays on the node after Enter, so arrows keep working.
    expect((await active()).node).toBe(US_SINK);
    await w!.shot('09-keyboard-focus');
  });

  it('renders a dataset named <img src=x onerror=alert(1)> as text, with no dialog', async () => {
    const page = await open();
    await page.fill('#search-input', '<img');
    await page.press('#search-input', 'Enter');
    const hit = page.locator('ol.results').getByRole('link', { name: XSS_NAME, exact: true });
    await hit.waitFor();
    expect(await hit.textContent()).toBe(XSS_NAME);
    // The field of the same name is found too, as text.
    expect(await page.locator('ol.results a', { hasText: `${XSS_NAME}.${XSS_NAME}` }).count()).toBe(1);
    await hit.click();
    await page.locator(node(XSS)).waitFor();
    expect(await page.locator('h1').textContent()).toContain(XSS_NAME);
    // The whole name is drawn (condensed to the box), as text.
    expect(await page.locator(`${node(XSS)} text.title`).textContent()).toBe(XSS_NAME);
    expect(await page.locator(`${node(XSS)} title`).textContent()).toContain(XSS_NAME);
    await expect.poll(() => page.locator('#details h2').textContent()).toBe(XSS_NAME);
    await page.locator(`#details tr[data-field=${JSON.stringify(XSS_NAME)}]`).waitFor();
    // Not one element was made from the name: no <img> anywhere, and the markup is escaped text.
    expect(await page.locator('img').count()).toBe(0);
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as BrowserGlobals).document.body.innerHTML.includes(
          '&lt;img src=x onerror=alert(1)&gt;',
        ),
      ),
    ).toBe(true);
    await w!.shot('10-xss-name-as-text');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
