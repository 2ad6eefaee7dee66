// What the application shell gives every page: the theme, the tenants the API key may act as, and the top bar,
// which a page renders itself so it can put its own controls (help, saved items) and its tenant into it.

import type { ComponentChildren } from 'preact';

/** The pages of the UI, each served at `/ui/<name>`. */
export const PAGES = ['explore', 'dashboards', 'alerts', 'detections'] as const;
export type PageName = (typeof PAGES)[number];

export const PAGE_TITLES: Record<PageName, string> = { explore: 'Explore', dashboards: 'Dashboards', alerts: 'Alerts', detections: 'Detections' };

/** `/ui`, `/ui/` and unknown names show Explore. */
export function pageFromPath(pathname: string): PageName {
  const name = /^\/ui\/([^/]+)/.exec(pathname)?.[1] ?? 'explore';
  return (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'explore';
}

export interface HeaderSlots {
  /** opens the page's keyboard-shortcut help (the `?` button appears only when given) */
  onHelp?: () => void;
  /** the page's shareable state, for "save query" (the saved-queries menu appears only with onOpen) */
  currentSearch?: () => string;
  onOpen?: (search: string) => void;
  /** tenant(s) the page reads as (`a|b` for several); empty = the key's own */
  tenant: string;
  onTenant: (tenant: string) => void;
}

export interface PageProps {
  theme: string;
  /** tenants the API key may act as (empty without authentication) */
  tenants: string[];
  header: (slots: HeaderSlots) => ComponentChildren;
}

/** The tenant a page should send when its URL names none: a key serving several tenants, none `default`, must name one. */
export function defaultTenant(urlTenant: string, tenants: string[]): string {
  return urlTenant || (tenants.length > 1 && !tenants.includes('default') ? tenants[0] : '');
}
