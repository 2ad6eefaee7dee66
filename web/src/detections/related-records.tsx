// An incident's related records (GET /api/v1/siem/incidents/:id, `related`): what the rule's `enrich: related`
// search found around its alerts, per shared value (a trace_id, user or IP), each record with a link to Explore
// around it. Incidents of rules without that enrichment say how to get it.

import type { RelatedGroup } from '../api/siem-api.ts';
import { LabelChips } from '../components/label-chips.tsx';
import { toMs } from '../components/relative-time.ts';
import { exploreHref, selectorOf } from '../components/explore-link.ts';

/** minutes either side of a record that its Explore link shows */
const AROUND_MS = 5 * 60_000;

export function RelatedRecords({ groups, tenant }: { groups: RelatedGroup[] | undefined; tenant: string }) {
  if (groups === undefined) {
    return (
      <p class="muted">
        No related-record search ran for this incident: add <code>enrich: related records</code> to the rule's actions.
      </p>
    );
  }
  if (groups.length === 0) return <p class="muted">The related-record search found no value to search for.</p>;
  return (
    <>
      {groups.map((g) => {
        const label = g.key === '*' ? 'Values not searched' : `${g.key} = ${g.value}`;
        return (
          <section key={`${g.key}\u0000${g.value}`} class="related-group" aria-label={`Related by ${label}`}>
            <h4>
              <code>{label}</code>{' '}
              <span class="muted">
                {g.count} {g.count === 1 ? 'record' : 'records'}
                {g.truncated ? ', more may exist' : ''}
              </span>
            </h4>
            {g.error && <p class="error-text">{g.error}</p>}
            {g.records.length > 0 && (
              <ol class="timeline-events" aria-label={`Records related by ${label}`}>
                {g.records.map((r, i) => {
                  const ms = toMs(r.ts)!;
                  return (
                    <li key={i}>
                      <time dateTime={new Date(ms).toISOString()}>{new Date(ms).toLocaleTimeString()}</time>
                      <div class="event-line">{r.line}</div>
                      <LabelChips labels={r.labels} />{' '}
                      <a href={exploreHref(selectorOf(r.labels), tenant, { fromMs: ms - AROUND_MS, toMs: ms + AROUND_MS })}>Explore around this record</a>
                    </li>
                  );
                })}
              </ol>
            )}
          </section>
        );
      })}
    </>
  );
}
