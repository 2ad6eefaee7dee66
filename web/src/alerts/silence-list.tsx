// Silences of the tenant (Alertmanager v2 GET /silences): active and pending first, each expirable.

import { useState } from 'preact/hooks';
import { expireSilence, type Silence } from '../api/alerting-api.ts';
import { ago, exactTime } from '../components/relative-time.ts';

export function SilenceList({ silences, onChange }: { silences: Silence[]; onChange: () => void }) {
  const [error, setError] = useState('');
  if (!silences.length) return <p class="muted">No silences. Silence a firing alert from its row above.</p>;
  const expire = async (id: string) => {
    try {
      await expireSilence(id);
      setError('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    onChange();
  };
  return (
    <>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <table class="data-table" aria-label="Silences">
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Matchers</th>
            <th scope="col">Ends</th>
            <th scope="col">Author</th>
            <th scope="col">Comment</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {silences.map((s) => (
            <tr key={s.id}>
              <td>
                <span class={`badge badge-silence-${s.status.state}`}>{s.status.state}</span>
              </td>
              <td>
                {s.matchers.map((m) => (
                  <code key={m.name} class="chip">
                    {m.name}
                    {m.isEqual === false ? '!' : ''}
                    {m.isRegex ? '=~' : '='}"{m.value}"
                  </code>
                ))}
              </td>
              <td title={exactTime(s.endsAt)}>{ago(s.endsAt)}</td>
              <td>{s.createdBy}</td>
              <td>{s.comment}</td>
              <td>
                {s.status.state !== 'expired' && (
                  <button type="button" onClick={() => void expire(s.id)} aria-label={`Expire silence ${s.comment || s.id}`}>
                    Expire
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
