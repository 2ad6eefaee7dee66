// Dark and light themes: the user's choice in localStorage, else the system's preference. Applied as
// `data-theme` on <html>, which app.css's colour variables key on.

export type Theme = 'dark' | 'light';
const STORAGE = 'sightline.theme';

export function initialTheme(): Theme {
  try {
    const t = localStorage.getItem(STORAGE);
    if (t === 'dark' || t === 'light') return t;
  } catch {
    // no storage: follow the system
  }
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function applyTheme(theme: Theme, persist: boolean): void {
  document.documentElement.dataset.theme = theme;
  if (!persist) return;
  try {
    localStorage.setItem(STORAGE, theme);
  } catch {
    // the choice lasts for this page
  }
}
