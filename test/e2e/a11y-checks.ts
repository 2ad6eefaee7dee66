// Accessibility checks run in the e2e tests, written here because axe-core is MPL-2.0 (this project takes only
// MIT/Apache/BSD/ISC dependencies): Chromium's own accessibility tree over CDP for accessible names, plus DOM checks
// for image alternatives, duplicate ids, tab order, and WCAG 2.2 text contrast (SC 1.4.3) from computed styles.

import type { Page } from 'playwright-core';

/** Roles a user operates; each needs an accessible name (WCAG 4.1.2). */
const INTERACTIVE = new Set(['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'switch', 'slider', 'spinbutton', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'treeitem']);

interface AXValue {
  value?: unknown;
}
interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: AXValue;
  name?: AXValue;
  backendDOMNodeId?: number;
  properties?: { name: string; value: AXValue }[];
}

/** Relative luminance of an sRGB colour (WCAG 2.2, "relative luminance"). */
export function luminance([r, g, b]: readonly number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Contrast ratio (L1 + 0.05) / (L2 + 0.05), lighter over darker: 1 to 21. */
export function contrast(a: readonly number[], b: readonly number[]): number {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

/**
 * tsx compiles this file with esbuild's keepNames, which wraps functions declared inside page.evaluate callbacks
 * in `__name(…)`: the page needs that helper too (as a string, so it is not compiled itself).
 */
async function definesNameHelper(page: Page): Promise<void> {
  await page.evaluate('globalThis.__name ??= (f) => f');
}

/** Interactive nodes of the accessibility tree without a name: `role` and a snippet of the element. */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    // an empty tree would pass every check: it means the page did not render
    if (!nodes.some((n) => !n.ignored && INTERACTIVE.has(String(n.role?.value ?? '')))) return ['the accessibility tree has no controls at all'];
    const out: string[] = [];
    for (const n of nodes) {
      const role = String(n.role?.value ?? '');
      if (n.ignored || !INTERACTIVE.has(role)) continue;
      if (String(n.name?.value ?? '').trim() !== '') continue;
      if (n.properties?.some((p) => p.name === 'hidden' && p.value.value === true)) continue;
      let html = '';
      if (n.backendDOMNodeId !== undefined) {
        const { outerHTML } = (await cdp.send('DOM.getOuterHTML', { backendNodeId: n.backendDOMNodeId })) as { outerHTML: string };
        html = outerHTML.slice(0, 160);
      }
      out.push(`${role} without an accessible name: ${html}`);
    }
    // images (role img/image) need a text alternative too
    for (const n of nodes) {
      const role = String(n.role?.value ?? '');
      if (!n.ignored && (role === 'image' || role === 'img') && String(n.name?.value ?? '').trim() === '') out.push(`image without alt text (node ${n.backendDOMNodeId})`);
    }
    return out;
  } finally {
    await cdp.detach();
  }
}

/** `<img>` without alt, and ids used more than once. */
export async function domProblems(page: Page): Promise<string[]> {
  await definesNameHelper(page);
  return page.evaluate(() => {
    const out: string[] = [];
    for (const img of document.querySelectorAll('img:not([alt])')) out.push(`img without alt: ${img.outerHTML.slice(0, 120)}`);
    const seen = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    for (const [id, n] of seen) if (n > 1) out.push(`id "${id}" used ${n} times`);
    return out;
  });
}

/**
 * Text whose contrast with what is behind it is under 4.5:1 (3:1 for large text, SC 1.4.3). The background is
 * found by compositing the background colours of the element and its ancestors; disabled controls are exempt.
 */
export async function lowContrastText(page: Page): Promise<string[]> {
  await definesNameHelper(page);
  return page.evaluate(() => {
    const parse = (c: string): number[] | undefined => {
      let m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(c);
      if (m) return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
      m = /^color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: \/ ([\d.]+))?\)$/.exec(c);
      if (m) return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255, m[4] === undefined ? 1 : Number(m[4])];
      return undefined;
    };
    const over = (top: number[], bottom: number[]) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
    const lum = (rgb: number[]) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
    };
    const ratio = (a: number[], b: number[]) => {
      const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (l1 + 0.05) / (l2 + 0.05);
    };
    const background = (el: Element): number[] => {
      const layers: number[][] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg && bg[3] > 0) {
          layers.push(bg);
          if (bg[3] === 1) break;
        }
      }
      let out = [255, 255, 255];
      for (let i = layers.length - 1; i >= 0; i--) out = over(layers[i], out);
      return out;
    };
    const problems: string[] = [];
    const seen = new Set<Element>();
    let checked = 0;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent?.trim()) continue;
      seen.add(el);
      if (el.closest('[disabled], [aria-disabled="true"], [aria-hidden="true"], option, noscript, script, style')) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      const fg = parse(style.color);
      if (!fg) {
        problems.push(`unreadable colour ${style.color} on "${n.textContent.trim().slice(0, 40)}"`);
        continue;
      }
      let opacity = 1;
      for (let e: Element | null = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      const bg = background(el);
      const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      const r = ratio(shown, bg);
      checked++;
      if (r < (large ? 3 : 4.5)) problems.push(`contrast ${r.toFixed(2)}:1 for "${n.textContent.trim().slice(0, 40)}" (${style.color} on rgb(${bg.map(Math.round).join(', ')}), ${el.tagName.toLowerCase()}.${[...el.classList].join('.')})`);
    }
    if (checked === 0) problems.push('no visible text to check');
    return problems;
  });
}

/**
 * The accessible names of the first `steps` elements Tab reaches, in order (for checking the order of the page's
 * main controls).
 */
export async function tabOrder(page: Page, steps: number): Promise<string[]> {
  // start from the top of the page: Chromium tabs on from where focus last was, so focus a marker placed first
  await page.evaluate(() => {
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.id = 'a11y-tab-start';
    document.body.prepend(start);
    start.focus();
  });
  const names: string[] = [];
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    if (i === 0) await page.evaluate(() => document.getElementById('a11y-tab-start')?.remove());
    names.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return '';
        const labelled = el.getAttribute('aria-labelledby');
        const byId = labelled ? document.getElementById(labelled)?.textContent : undefined;
        const label = (el as HTMLInputElement).labels?.[0]?.textContent;
        return (el.getAttribute('aria-label') ?? byId ?? label ?? el.textContent ?? '').trim();
      }),
    );
  }
  return names;
}

/** Every problem the checks find on the page as it is now. */
export async function audit(page: Page): Promise<string[]> {
  return [...(await unnamedControls(page)), ...(await domProblems(page)), ...(await lowContrastText(page))];
}
