// The MITRE ATT&CK coverage matrix (GET /api/v1/detections/coverage): one column per tactic, one cell per
// technique or sub-technique the enabled rules' tags name, shaded by how many rules cover it. Choosing a cell
// lists those rules.

import { useState } from 'preact/hooks';
import type { Coverage, CoverageTechnique } from '../api/siem-api.ts';
import { techniqueUrl } from './attack-tags.ts';

function techniqueId(t: CoverageTechnique): string {
  return t.subtechnique ?? t.id;
}

/** shade 1–3: one rule, two, three or more */
function heat(n: number): number {
  return Math.min(3, Math.max(1, n));
}

export function AttackMatrix({ coverage }: { coverage: Coverage }) {
  const [chosen, setChosen] = useState<string | undefined>();
  if (!coverage.techniques.length)
    return (
      <p class="muted">
        No enabled rule carries an ATT&amp;CK technique tag (such as <code>attack.t1110</code>){coverage.rules_without_tags ? `; ${coverage.rules_without_tags} rules have none` : ''}.
      </p>
    );
  const byTactic = new Map<string, CoverageTechnique[]>(coverage.tactics.map((t) => [t.id, []]));
  for (const t of coverage.techniques) for (const tactic of t.tactics) byTactic.get(tactic)?.push(t);
  const tactics = coverage.tactics.filter((t) => (byTactic.get(t.id) ?? []).length > 0);
  const selected = coverage.techniques.find((t) => techniqueId(t) === chosen);
  return (
    <>
      <div class="matrix" role="group" aria-label="ATT&CK coverage by tactic">
        {tactics.map((tactic) => {
          const cells = byTactic.get(tactic.id)!.sort((a, b) => (techniqueId(a) < techniqueId(b) ? -1 : 1));
          return (
            <div key={tactic.id} class="matrix-column">
              <h3 class="matrix-tactic">
                {tactic.name} <span class="muted">{cells.length}</span>
              </h3>
              {cells.map((t) => {
                const id = techniqueId(t);
                return (
                  <button
                    key={id}
                    type="button"
                    class={`matrix-cell heat-${heat(t.rules.length)}${t.subtechnique ? ' sub' : ''}`}
                    aria-pressed={chosen === id}
                    aria-label={`${id}${t.name ? ` ${t.name}` : ''}: ${t.rules.length} ${t.rules.length === 1 ? 'rule' : 'rules'}`}
                    onClick={() => setChosen(chosen === id ? undefined : id)}
                  >
                    <span class="matrix-id">{id}</span> {t.name ?? ''}
                    <span class="matrix-count">{t.rules.length}</span>
                  </button>
                );
              })}
            </div>
          );
        })}
      </div>
      <p class="muted small">
        {coverage.techniques.length} techniques covered across {tactics.length} tactics; {coverage.rules_without_tags} rules carry no technique tag. Darker cells have more rules.
      </p>
      {selected && (
        <section class="card" aria-label={`Rules covering ${techniqueId(selected)}`}>
          <h3>
            <a href={techniqueUrl(techniqueId(selected))} target="_blank" rel="noopener noreferrer">
              {techniqueId(selected)}
              {selected.name ? ` ${selected.name}` : ''}
            </a>
          </h3>
          <ul class="plain">
            {selected.rules.map((r) => (
              <li key={r.id}>
                <span class={`badge sev-${r.level}`}>{r.level}</span> <b>{r.title}</b> <span class="muted">({r.source === 'sigma' ? 'Sigma' : 'native'}{r.enabled ? '' : ', disabled'})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
