// The time range control: relative presets (last 5 minutes … 7 days), an absolute from/to in local time, and
// zoom out (double the span around its middle). Ranges are kept as the URL spells them (time-range.ts).

import { useEffect, useRef, useState } from 'preact/hooks';
import { describeRange, isRelative, PRESETS, resolveRange, type TimeRange } from '../state/time-range.ts';

function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function TimePicker({ range, onChange }: { range: TimeRange; onChange: (r: TimeRange) => void }) {
  const [open, setOpen] = useState(false);
  const resolved = resolveRange(range, Date.now());
  const [from, setFrom] = useState(toLocalInput(resolved.fromMs));
  const [to, setTo] = useState(toLocalInput(resolved.toMs));
  const [error, setError] = useState('');
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const r = resolveRange(range, Date.now());
    setFrom(toLocalInput(r.fromMs));
    setTo(toLocalInput(r.toMs));
    setError('');
    const close = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const apply = (e: Event) => {
    e.preventDefault();
    const f = new Date(from).getTime();
    const t = new Date(to).getTime();
    if (Number.isNaN(f) || Number.isNaN(t)) return setError('Enter both times');
    if (f >= t) return setError('"From" must be before "To"');
    onChange({ from: String(f), to: String(t) });
    setOpen(false);
  };

  const zoomOut = () => {
    const r = resolveRange(range, Date.now());
    const span = r.toMs - r.fromMs;
    const toMs = Math.min(Date.now(), r.toMs + span / 2);
    onChange(isRelative(range.to) && range.to === 'now' ? { from: String(Math.round(r.fromMs - span)), to: 'now' } : { from: String(Math.round(toMs - 2 * span)), to: String(Math.round(toMs)) });
  };

  return (
    <div class="time-picker" ref={root}>
      <button type="button" class="time-button" aria-haspopup="dialog" aria-expanded={open} aria-label={`Time range: ${describeRange(range)}`} onClick={() => setOpen(!open)}>
        {describeRange(range)}
      </button>
      <button type="button" class="icon" aria-label="Zoom out" title="Zoom out (double the range)" onClick={zoomOut}>
        ⊖
      </button>
      {open && (
        <div class="popover time-popover" role="dialog" aria-label="Choose a time range">
          <form class="absolute" onSubmit={apply}>
            <h3>Absolute range</h3>
            <label>
              From <input type="datetime-local" step="1" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              To <input type="datetime-local" step="1" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
            </label>
            {error && (
              <p class="error-text" role="alert">
                {error}
              </p>
            )}
            <button type="submit" class="primary">
              Apply time range
            </button>
          </form>
          <ul class="presets" aria-label="Relative ranges">
            {PRESETS.map((p) => (
              <li key={p.from}>
                <button
                  type="button"
                  class={range.from === p.from && range.to === 'now' ? 'on' : ''}
                  onClick={() => {
                    onChange({ from: p.from, to: 'now' });
                    setOpen(false);
                  }}
                >
                  {p.label}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
