// An incident's linked events on one time axis: a strip with a mark per event (coloured by the rule step that
// matched it), then the events in time order with their line, stream labels and a link to Explore around them.

import type { AlertEvent } from '../api/siem-api.ts';
import { LabelChips } from '../components/label-chips.tsx';
import { toMs } from '../components/relative-time.ts';
import { exploreHref, selectorOf } from '../components/explore-link.ts';

/** minutes either side of an event that its Explore link shows */
const AROUND_MS = 5 * 60_000;
const STEP_CLASSES = 6;

export function EventTimeline({ events, tenant }: { events: AlertEvent[]; tenant: string }) {
  if (!events.length) return <p class="muted">No linked events were kept for this incident.</p>;
  const sorted = [...events].sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : BigInt(a.ts) > BigInt(b.ts) ? 1 : 0));
  const first = toMs(sorted[0].ts)!;
  const last = toMs(sorted[sorted.length - 1].ts)!;
  const span = Math.max(1, last - first);
  const steps = [...new Set(sorted.map((e) => e.step))];
  return (
    <>
      <div class="timeline-axis" role="img" aria-label={`${sorted.length} events from ${new Date(first).toLocaleString()} to ${new Date(last).toLocaleString()}`}>
        {sorted.map((e, i) => (
          <span key={i} class={`timeline-mark step-${steps.indexOf(e.step) % STEP_CLASSES}`} style={{ left: `${((toMs(e.ts)! - first) / span) * 100}%` }} />
        ))}
      </div>
      <div class="timeline-scale muted small">
        <span>{new Date(first).toLocaleTimeString()}</span>
        <span>{new Date(last).toLocaleTimeString()}</span>
      </div>
      <ol class="timeline-events" aria-label="Linked events">
        {sorted.map((e, i) => {
          const ms = toMs(e.ts)!;
          return (
            <li key={i}>
              <span class={`timeline-dot step-${steps.indexOf(e.step) % STEP_CLASSES}`} aria-hidden="true" />
              <time dateTime={new Date(ms).toISOString()}>{new Date(ms).toLocaleTimeString()}</time> <span class="muted">{e.step}</span>
              <div class="event-line">{e.line}</div>
              <LabelChips labels={e.labels} />{' '}
              <a href={exploreHref(selectorOf(e.labels), tenant, { fromMs: ms - AROUND_MS, toMs: ms + AROUND_MS })}>Explore around this event</a>
            </li>
          );
        })}
      </ol>
    </>
  );
}
