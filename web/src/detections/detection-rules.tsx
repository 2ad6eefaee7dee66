// Detection rules (GET /api/v1/siem/rules): title, source (Sigma, Sigma correlation, native), level, ATT&CK tags,
// whether it is enabled (loaded) and when it last fired (from the recent detection alerts); rules that did not
// load are listed with the reason.

import type { DetectionAlert, RulesReply } from '../api/siem-api.ts';
import { ago, exactTime } from '../components/relative-time.ts';
import { tagLabel } from './attack-tags.ts';

const SOURCE_NAMES: Record<string, string> = { sigma: 'Sigma', sigma_correlation: 'Sigma correlation', native: 'native' };

export function DetectionRules({ reply, alerts }: { reply: RulesReply; alerts: DetectionAlert[] }) {
  const lastFired = new Map<string, number>();
  for (const a of alerts) lastFired.set(a.rule, Math.max(lastFired.get(a.rule) ?? 0, a.created_ms));
  return (
    <>
      <p class="muted">
        {reply.loaded} of {reply.total} rules loaded{reply.failed ? `; ${reply.failed} did not` : ''}.
      </p>
      {reply.failures.length > 0 && (
        <ul class="failures" aria-label="Rules that did not load">
          {reply.failures.map((f, i) => (
            <li key={i} class="error-text">
              {f.file}
              {f.line ? `:${f.line}` : ''}
              {f.rule ? ` (${f.rule})` : ''}: {f.reason}
            </li>
          ))}
        </ul>
      )}
      <table class="data-table" aria-label="Detection rules">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Source</th>
            <th scope="col">Level</th>
            <th scope="col">ATT&amp;CK and tags</th>
            <th scope="col">Enabled</th>
            <th scope="col">Last fired</th>
          </tr>
        </thead>
        <tbody>
          {reply.rules.map((r) => {
            const fired = lastFired.get(r.rule);
            return (
              <tr key={`${r.kind}:${r.rule}`}>
                <td>
                  <b>{r.title}</b>
                  <div class="muted small">{r.file}</div>
                </td>
                <td>{SOURCE_NAMES[r.kind] ?? r.kind}</td>
                <td>
                  <span class={`badge sev-${r.severity}`}>{r.severity}</span>
                </td>
                <td>
                  {(r.tags ?? []).map((t) => (
                    <span key={t} class="chip">
                      {tagLabel(t)}
                    </span>
                  ))}
                </td>
                <td>yes</td>
                <td title={fired ? exactTime(fired) : undefined}>{fired ? ago(fired) : 'not recently'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
