// End-to-end helpers: Debian's Chromium driven by playwright-core (installed by .ci/run), one browser per test
// file, a fresh context (storage, viewport 1280×800) per page, and page errors collected so tests can assert none.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SIGHTLINE_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export const skipBrowser: string | undefined = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SIGHTLINE_CHROMIUM)`;

let shared: Promise<Browser> | undefined;

export function browser(): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  if (shared) await (await shared).close();
  shared = undefined;
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** uncaught exceptions and console errors seen so far */
  errors: string[];
}

export async function openPage(url: string, opts: { colorScheme?: 'dark' | 'light'; width?: number; height?: number } = {}): Promise<OpenedPage> {
  const context = await (await browser()).newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 }, colorScheme: opts.colorScheme ?? 'dark' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // a 401 the sign-in flow expects is logged by Chromium as a failed resource load
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, context, errors };
}

/** Types a query into the query bar (replacing it) and runs it with the "Run query" button. */
export async function runQuery(page: Page, query: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Query' });
  await box.fill(query);
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Run query' }).click();
}

/** Waits until the results status reads `N lines…` (N = expected when given) and returns N. */
export async function resultCount(page: Page, expected?: number): Promise<number> {
  const handle = await page.waitForFunction((n) => {
    const text = document.querySelector('.result-count')?.textContent ?? '';
    const m = /^([\d,]+) lines/.exec(text);
    return m && (n === undefined || m[1] === n.toLocaleString('en-US')) ? m[1] : false;
  }, expected);
  return Number(String(await handle.jsonValue()).replace(/,/g, ''));
}

/** Text of the rendered log lines, top to bottom. */
export async function visibleLines(page: Page, list = 'Log lines'): Promise<string[]> {
  return page.getByRole('list', { name: list }).locator('.log-summary .line-text').allTextContents();
}
