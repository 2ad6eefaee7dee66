// A page section's data from one API call: loading, the value, or the server's error message; reloaded when its
// dependencies change (the tenant) or on demand (after a change the user made, or the page's refresh timer).

import { useEffect, useRef, useState } from 'preact/hooks';

export interface Resource<T> {
  data?: T;
  error?: string;
  /** true until the first answer */
  loading: boolean;
  reload: () => void;
}

export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    load().then(
      (data) => mine === latest.current && setState({ data, loading: false }),
      (e: unknown) => mine === latest.current && setState((prev) => ({ data: prev.data, error: e instanceof Error ? e.message : String(e), loading: false })),
    );
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}
