// Named queries saved in this browser (localStorage): the query, its time range and view, as a URL query string
// that reopens exactly that state.

const STORAGE = 'sightline.savedQueries';

export interface SavedQuery {
  name: string;
  /** the Explore URL's query string (url-state.ts) */
  search: string;
}

export function readSaved(): SavedQuery[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(STORAGE) ?? '[]');
    if (!Array.isArray(v)) return [];
    return v.filter((s): s is SavedQuery => typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.search === 'string');
  } catch {
    return [];
  }
}

export function saveQuery(name: string, search: string): SavedQuery[] {
  const next = [{ name, search }, ...readSaved().filter((s) => s.name !== name)];
  localStorage.setItem(STORAGE, JSON.stringify(next));
  return next;
}

export function deleteSaved(name: string): SavedQuery[] {
  const next = readSaved().filter((s) => s.name !== name);
  localStorage.setItem(STORAGE, JSON.stringify(next));
  return next;
}
