import { mkdir } from 'node:fs/promises';
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
