// The panel editor (edit mode): title, type, LogQL query, legend template and unit of one panel, applied to the
// dashboard being edited (saved with it). Opens as a dialog over the dashboard.

import { useState } from 'preact/hooks';
import { PANEL_TYPE_NAMES, PANEL_TYPES, UNITS, type DashboardPanel, type PanelType } from './dashboard-types.ts';

export function PanelEditor({ panel, onApply, onCancel }: { panel: DashboardPanel; onApply: (p: DashboardPanel) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<DashboardPanel>(panel);
  const set = (patch: Partial<DashboardPanel>) => setDraft({ ...draft, ...patch });
  return (
    <div class="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div class="dialog panel-editor" role="dialog" aria-modal="true" aria-label="Edit panel">
      <form
        class="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          onApply({ ...draft, title: draft.title.trim(), query: draft.type === 'security' ? '' : draft.query.trim() });
        }}
      >
        <h2>Edit panel</h2>
        <label>
          Title
          <input value={draft.title} autoFocus onInput={(e) => set({ title: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Type
          <select value={draft.type} onChange={(e) => set({ type: (e.target as HTMLSelectElement).value as PanelType })}>
            {PANEL_TYPES.map((t) => (
              <option key={t} value={t}>
                {PANEL_TYPE_NAMES[t]}
              </option>
            ))}
          </select>
        </label>
        {draft.type !== 'security' && (
          <>
            <label>
              Panel query
              <textarea
                rows={4}
                spellcheck={false}
                value={draft.query}
                placeholder={draft.type === 'logs' ? '{service=~"$service"} |= "error"' : 'sum by (service) (rate({service=~"$service"} [$__interval]))'}
                onInput={(e) => set({ query: (e.target as HTMLTextAreaElement).value })}
              />
            </label>
            <p class="muted hint">
              <code>$name</code> or <code>{'${name}'}</code> inserts a variable (several values as <code>(a|b)</code>, All as <code>.+</code>: use it with{' '}
              <code>=~</code>); <code>$__range</code> is the time range, <code>$__interval</code> the step.
            </p>
            {draft.type !== 'logs' && (
              <div class="row">
                <label>
                  Legend
                  <input value={draft.legend ?? ''} placeholder="{{service}}" onInput={(e) => set({ legend: (e.target as HTMLInputElement).value || undefined })} />
                </label>
                <label>
                  Unit
                  <select value={draft.unit ?? ''} onChange={(e) => set({ unit: (e.target as HTMLSelectElement).value || undefined })}>
                    {UNITS.map((u) => (
                      <option key={u} value={u}>
                        {u || 'none'}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            )}
          </>
        )}
        <div class="row">
          <span class="spacer" />
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Apply
          </button>
        </div>
      </form>
      </div>
    </div>
  );
}
