// One incident (GET /api/v1/siem/incidents/:id): its status, assignee and notes, editable (POST, docs/siem.md),
// the entities and group it is about, its alerts' linked events on a timeline, and the related records found around
// them.

import { useState } from 'preact/hooks';
import { fetchIncident, INCIDENT_STATUSES, updateIncident, type IncidentUpdate } from '../api/siem-api.ts';
import { LabelChips } from '../components/label-chips.tsx';
import { ago, exactTime } from '../components/relative-time.ts';
import { SectionBody } from '../components/section-body.tsx';
import { useResource } from '../components/use-resource.ts';
import { tagLabel } from './attack-tags.ts';
import { EventTimeline } from './event-timeline.tsx';
import { RelatedRecords } from './related-records.tsx';

export function IncidentView({ id, tenant, onBack, onChanged }: { id: string; tenant: string; onBack: () => void; onChanged: () => void }) {
  const res = useResource(() => fetchIncident(id), [id, tenant]);
  const [assignee, setAssignee] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const save = async (patch: IncidentUpdate) => {
    try {
      await updateIncident(id, patch);
      setError('');
      res.reload();
      onChanged();
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    }
  };
  return (
    <section aria-labelledby="incident-title">
      <button type="button" onClick={onBack}>
        ← All incidents
      </button>
      <SectionBody resource={res}>
        {({ incident, alerts }) => (
          <>
            <h2 id="incident-title">
              <span class={`badge sev-${incident.severity}`}>{incident.severity}</span> {incident.title}
            </h2>
            <p class="muted">
              {incident.id} · rule {incident.rule} · {incident.event_count} events · first seen <span title={exactTime(incident.first_seen)}>{ago(incident.first_seen)}</span> · last seen{' '}
              <span title={exactTime(incident.last_seen)}>{ago(incident.last_seen)}</span>
            </p>
            <div class="incident-fields">
              <label>
                Status{' '}
                <select value={incident.status} onChange={(e) => void save({ status: (e.target as HTMLSelectElement).value })}>
                  {INCIDENT_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {s.replace('_', ' ')}
                    </option>
                  ))}
                </select>
              </label>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  const a = (assignee ?? incident.assignee ?? '').trim();
                  void save({ assignee: a === '' ? null : a }).then((ok) => ok && setAssignee(undefined));
                }}
              >
                <label>
                  Assignee <input value={assignee ?? incident.assignee ?? ''} placeholder="nobody" onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} />
                </label>{' '}
                <button type="submit">Assign</button>
              </form>
            </div>
            {error && (
              <p class="error-text" role="alert">
                {error}
              </p>
            )}
            <p>
              <LabelChips labels={incident.group} />
              {incident.tags.map((t) => (
                <span key={t} class="chip">
                  {tagLabel(t)}
                </span>
              ))}
            </p>
            <h3>Timeline</h3>
            <EventTimeline events={alerts.flatMap((a) => a.events)} tenant={tenant} />
            <h3>Related records</h3>
            <RelatedRecords groups={incident.related} tenant={tenant} />
            <h3>Notes</h3>
            <ul class="plain notes">
              {incident.notes.map((n, i) => (
                <li key={i}>
                  <span class="muted" title={exactTime(n.ts_ms)}>
                    {n.author ?? 'someone'}, {ago(n.ts_ms)}:
                  </span>{' '}
                  {n.text}
                </li>
              ))}
            </ul>
            <form
              class="note-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (note.trim()) void save({ note: note.trim() }).then((ok) => ok && setNote(''));
              }}
            >
              <label>
                Note <input value={note} size={50} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
              </label>{' '}
              <button type="submit">Add note</button>
            </form>
          </>
        )}
      </SectionBody>
    </section>
  );
}
