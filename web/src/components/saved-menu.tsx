// The header's saved queries menu: save the current view under a name, reopen or delete saved ones
// (saved-queries.ts keeps them in this browser; the URL of a view is the way to share it).

import { useState } from 'preact/hooks';
import { deleteSaved, readSaved, saveQuery } from '../state/saved-queries.ts';

export function SavedMenu({ currentSearch, onOpen }: { currentSearch: () => string; onOpen: (search: string) => void }) {
  const [saved, setSaved] = useState(readSaved);
  const [name, setName] = useState('');
  return (
    <details class="menu saved-menu">
      <summary>Saved</summary>
      <div class="menu-body">
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) setSaved(saveQuery(name.trim(), currentSearch()));
            setName('');
          }}
        >
          <input aria-label="Name for this query" placeholder="Name this view" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <button type="submit">Save</button>
        </form>
        {saved.length === 0 && <p class="muted">Saved views appear here.</p>}
        <ul>
          {saved.map((s) => (
            <li key={s.name} class="row">
              <button type="button" class="link" onClick={() => onOpen(s.search)}>
                {s.name}
              </button>
              <button type="button" class="icon" aria-label={`Delete ${s.name}`} onClick={() => setSaved(deleteSaved(s.name))}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}
