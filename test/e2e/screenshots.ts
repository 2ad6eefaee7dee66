// Screenshots for docs/ui.md, made by the e2e tests themselves: with SIGHTLINE_SCREENSHOTS=1 a test saves its
// page as docs/images/ui-<name>.png at the browser's 1280×800 viewport; otherwise this does nothing.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../integration/harness.ts';

export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SIGHTLINE_SCREENSHOTS !== '1') return;
  const dir = path.join(REPO, 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  // nothing mid-transition, no blinking caret
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: path.join(dir, `ui-${name}.png`), caret: 'hide' });
}
