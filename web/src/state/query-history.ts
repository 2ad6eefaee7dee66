// Queries the user ran, newest first, kept in localStorage (per browser, not per tenant: queries carry no data).

const STORAGE = 'sightline.queryHistory';
const MAX = 50;

export function readHistory(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(STORAGE) ?? '[]');
    return Array.isArray(v) ? v.filter((q): q is string => typeof q === 'string') : [];
  } catch {
    return [];
  }
}

export function remember(query: string): void {
  const q = query.trim();
  if (!q) return;
  const next = [q, ...readHistory().filter((h) => h !== q)].slice(0, MAX);
  try {
    localStorage.setItem(STORAGE, JSON.stringify(next));
  } catch {
    // storage full or refused: history is a convenience
  }
}

export function clearHistory(): void {
  try {
    localStorage.removeItem(STORAGE);
  } catch {
    // nothing to clear
  }
}
