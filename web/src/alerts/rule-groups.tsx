// Alert rules by group, as `GET /prometheus/api/v1/rules` reports them: state, last evaluation, health, the
// expression (with a link to run it in Explore), labels, annotations, and each rule's active alerts, which can be
// silenced from here.

import type { PromAlert, PromRule, RuleGroup, Silence } from '../api/alerting-api.ts';
import { LabelChips } from '../components/label-chips.tsx';
import { ago, exactTime } from '../components/relative-time.ts';
import { exploreHref } from '../components/explore-link.ts';

export function RuleGroups({ groups, tenant, silences, onSilence }: { groups: RuleGroup[]; tenant: string; silences: Silence[]; onSilence: (labels: Record<string, string>) => void }) {
  if (!groups.length)
    return (
      <p class="muted">
        No alert rules yet. Add them with <code>sightline rules sync</code> or the ruler API (docs/alerting.md).
      </p>
    );
  return (
    <>
      {groups.map((g) => (
        <section key={`${g.file}/${g.name}`} class="card" aria-label={`Group ${g.name}`}>
          <h3>
            {g.name} <span class="muted">· {g.file} · every {g.interval} s · evaluated {ago(g.lastEvaluation)}</span>
          </h3>
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">State</th>
                <th scope="col">Last evaluation</th>
                <th scope="col">Expression</th>
                <th scope="col">Annotations</th>
              </tr>
            </thead>
            <tbody>
              {g.rules.map((r) => (
                <RuleRow key={r.name} rule={r} tenant={tenant} silences={silences} onSilence={onSilence} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}

function RuleRow({ rule, tenant, silences, onSilence }: { rule: PromRule; tenant: string; silences: Silence[]; onSilence: (labels: Record<string, string>) => void }) {
  const state = rule.type === 'recording' ? 'recording' : (rule.state ?? 'inactive');
  const alerts = rule.alerts ?? [];
  return (
    <>
      <tr class={`rule-row state-${state}`}>
        <td>
          <b>{rule.name}</b>
          {rule.duration ? <span class="muted"> for {rule.duration} s</span> : null}
          <div>
            <LabelChips labels={rule.labels} />
          </div>
        </td>
        <td>
          <span class={`badge badge-${state}`}>{state}</span>
          {rule.health !== 'ok' && rule.health !== 'unknown' && (
            <div class="error-text" title={rule.lastError}>
              {rule.health}: {rule.lastError}
            </div>
          )}
        </td>
        <td title={exactTime(rule.lastEvaluation)}>{ago(rule.lastEvaluation)}</td>
        <td>
          <code class="expr">{rule.query}</code>{' '}
          <a href={exploreHref(rule.query, tenant)} aria-label={`Open ${rule.name} in Explore`}>
            Open in Explore
          </a>
        </td>
        <td>
          {Object.entries(rule.annotations ?? {}).map(([k, v]) => (
            <div key={k}>
              <span class="muted">{k}:</span> {v}
            </div>
          ))}
        </td>
      </tr>
      {alerts.map((a) => (
        <AlertRow key={JSON.stringify(a.labels)} alert={a} ruleName={rule.name} silenced={silencedBy({ alertname: rule.name, ...a.labels }, silences)} onSilence={onSilence} />
      ))}
    </>
  );
}

function AlertRow({ alert, ruleName, silenced, onSilence }: { alert: PromAlert; ruleName: string; silenced: Silence | undefined; onSilence: (labels: Record<string, string>) => void }) {
  return (
    <tr class="alert-row">
      <td colSpan={2}>
        <span class={`badge badge-${alert.state}`}>{alert.state}</span>{' '}
        {silenced && (
          <span class="badge badge-silenced" title={`${silenced.createdBy}: ${silenced.comment}`}>
            silenced
          </span>
        )}{' '}
        <LabelChips labels={alert.labels} skip={['alertname']} />
      </td>
      <td title={exactTime(alert.activeAt)}>active since {ago(alert.activeAt)}</td>
      <td>
        value <b>{formatValue(alert.value)}</b>
      </td>
      <td>
        <button type="button" onClick={() => onSilence({ alertname: ruleName, ...alert.labels })}>
          Silence…
        </button>
      </td>
    </tr>
  );
}

/** The API sends values in Go's %e form (`1e+00`); people read `1`. */
function formatValue(v: string): string {
  const n = Number(v);
  return Number.isFinite(n) ? String(Number(n.toPrecision(6))) : v;
}

/**
 * The active silence whose matchers all match an alert's labels. Only equality matchers are judged here (a
 * regex matcher is the server's to evaluate, with RE2): a silence with one is not claimed.
 */
function silencedBy(labels: Record<string, string>, silences: Silence[]): Silence | undefined {
  return silences.find(
    (s) => s.status.state === 'active' && s.matchers.every((m) => !m.isRegex && ((labels[m.name] ?? '') === m.value) === (m.isEqual !== false)),
  );
}
