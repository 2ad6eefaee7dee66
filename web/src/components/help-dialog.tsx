// The keyboard shortcuts sheet, opened with `?` or the header's help button.

import { useEffect, useRef } from 'preact/hooks';

export const SHORTCUTS: [string, string][] = [
  ['/', 'Focus the query bar'],
  ['Enter, Shift+Enter, Ctrl+Enter', 'Run the query (Enter picks a suggestion while the list is open)'],
  ['Ctrl+Space', 'Show suggestions'],
  ['Esc', 'Close the trace or context panel, or this sheet'],
  ['?', 'Show or hide this sheet'],
];

export function HelpDialog({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="modal-backdrop" onClick={onClose}>
      <div class="modal" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, d]) => (
              <tr key={k}>
                <th scope="row">
                  <kbd>{k}</kbd>
                </th>
                <td>{d}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" ref={close} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
