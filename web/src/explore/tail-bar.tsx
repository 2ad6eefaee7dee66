// The live tail's status bar: connection and transport, rate, lines kept, lines the server dropped, pause/resume.

import { TAIL_BUFFER, type LiveTail } from './use-live-tail.ts';

export function TailBar({ tail }: { tail: LiveTail }) {
  const { status } = tail;
  return (
    <div class="tail-bar" role="status" aria-live="polite">
      <span class={`dot ${status?.state ?? 'connecting'}`} />
      <span>
        {status?.state === 'live' ? 'Live' : status?.state === 'error' ? `Tail failed: ${status.message ?? ''}` : 'Connecting…'}
        {status && ` via ${status.transport === 'websocket' ? 'WebSocket' : 'polling'}`}
      </span>
      <span class="rate" aria-label="Lines per second">
        {tail.rate.toFixed(1)} lines/s
      </span>
      <span class="muted">
        {tail.rows.length.toLocaleString('en-US')} of {TAIL_BUFFER.toLocaleString('en-US')} kept
      </span>
      {status && status.dropped > 0 && <span class="warn-text">{status.dropped} dropped by the server (reader too slow)</span>}
      {tail.paused ? (
        <button type="button" onClick={tail.resume}>
          Resume ({tail.pending.toLocaleString('en-US')} new)
        </button>
      ) : (
        <button type="button" onClick={tail.pause}>
          Pause
        </button>
      )}
    </div>
  );
}
