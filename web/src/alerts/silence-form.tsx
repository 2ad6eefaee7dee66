// Creating a silence (Alertmanager v2 POST /silences) from an alert's labels: the user keeps the labels that
// should match, says who they are, why, and for how long. The server's refusal is shown as it is.

import { useEffect, useRef, useState } from 'preact/hooks';
import { createSilence } from '../api/alerting-api.ts';

const AUTHOR_STORAGE = 'sightline.silenceAuthor';
const DURATION = /^(\d+)\s*(m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90m`, `2h`, `1d`, `1w` → milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || Number(m[1]) <= 0) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]];
}

export function SilenceForm({ labels, onDone, onCancel }: { labels: Record<string, string>; onDone: (id: string) => void; onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const names = Object.keys(labels).sort();
  const [picked, setPicked] = useState<Set<string>>(() => new Set(names));
  const [author, setAuthor] = useState(() => localStorage.getItem(AUTHOR_STORAGE) ?? '');
  const [comment, setComment] = useState('');
  const [duration, setDuration] = useState('2h');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const ms = parseDuration(duration);
    if (ms === undefined) return setError(`duration: expected a number and a unit (m, h, d or w), such as 2h; got "${duration}"`);
    if (picked.size === 0) return setError('choose at least one label to match');
    if (!author.trim()) return setError('author: say who is silencing');
    if (!comment.trim()) return setError('comment: say why');
    setBusy(true);
    try {
      const now = Date.now();
      const id = await createSilence({
        matchers: names.filter((n) => picked.has(n)).map((name) => ({ name, value: labels[name], isRegex: false, isEqual: true })),
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + ms).toISOString(),
        createdBy: author.trim(),
        comment: comment.trim(),
      });
      localStorage.setItem(AUTHOR_STORAGE, author.trim());
      onDone(id);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="modal" aria-labelledby="silence-title" onClose={onCancel}>
      <form onSubmit={submit}>
        <h2 id="silence-title">New silence</h2>
        <fieldset>
          <legend>Match alerts with these labels</legend>
          {names.map((n) => (
            <label key={n} class="check">
              <input
                type="checkbox"
                checked={picked.has(n)}
                onChange={(e) => {
                  const next = new Set(picked);
                  if ((e.target as HTMLInputElement).checked) next.add(n);
                  else next.delete(n);
                  setPicked(next);
                }}
              />
              <code>
                {n}="{labels[n]}"
              </code>
            </label>
          ))}
        </fieldset>
        <label>
          Author
          <input value={author} autoComplete="name" onInput={(e) => setAuthor((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Comment
          <input value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Duration
          <input value={duration} size={6} aria-describedby="silence-duration-help" onInput={(e) => setDuration((e.target as HTMLInputElement).value)} />
        </label>
        <p id="silence-duration-help" class="muted">
          Such as 30m, 2h, 1d or 1w, from now.
        </p>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Create silence
          </button>
        </div>
      </form>
    </dialog>
  );
}
