import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../../../../.test-artifacts/lineage-ui/', import.meta.url));

/** The system's Chromium, headless; never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Every request whose host is not the loopback address the collector listens on. */
  offHost: string[];
  /** Every request the page made. */
  requests: string[];
  dialogs: string[];
  errors: string[];
  shot: (name: string) => Promise<string>;
}

const LOCAL = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A fresh 1280x800 page in UTC that records requests, dialogs and script errors. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  await mkdir(ARTIFACTS, { recursive: true });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'UTC',
    locale: 'en-GB',
    serviceWorkers: 'block',
  });
  const page = await context.newPage();
  const offHost: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    requests.push(r.url());
    if (url.protocol === 'data:' || url.protocol === 'about:') return;
    if (!LOCAL.has(url.hostname)) offHost.push(r.url());
  });
  // Anything not for the collector is refused as well as recorded, so a regression cannot reach the net.
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (LOCAL.has(url.hostname) || url.protocol === 'data:') await route.continue();
    else await route.abort('blockedbyclient');
  });
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  const shot = async (name: string) => {
    const path = `${ARTIFACTS}${name}.png`;
    await page.screenshot({ path });
    return path;
  };
  return { page, context, offHost, requests, dialogs, errors, shot };
}

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
}
interface AxeGlobals {
  axe: { run: (context: unknown, options: unknown) => Promise<AxeResult> };
  document: unknown;
}

/**
 * WCAG 2 A and AA violations axe-core finds on the page as it is now, one line each. axe is evaluated
 * through the DevTools protocol, so the page's CSP stays as strict as it is.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(AXE_PATH, 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as AxeGlobals;
    const result = await g.axe.run(g.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations.map((v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} at ${v.targets.join(', ')}`);
}
