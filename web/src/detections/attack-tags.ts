// ATT&CK tags as Sigma writes them (`attack.t1110.001`, `attack.credential-access`): technique ids shown as
// T1110.001, tactic tags as their names, other tags (`cve.…`, `car.…`) left as they are.

const TECHNIQUE = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;

/** The technique ids among a rule's tags, upper-cased (`T1110`, `T1110.001`). */
export function techniqueIds(tags: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const t of tags ?? []) {
    const m = TECHNIQUE.exec(t);
    if (m) out.push(m[1].toUpperCase());
  }
  return out;
}

/** A tag as a reader wants it: a technique id, a tactic's words, or the tag itself. */
export function tagLabel(tag: string): string {
  const m = TECHNIQUE.exec(tag);
  if (m) return m[1].toUpperCase();
  if (/^attack\.[a-z-]+$/i.test(tag)) return tag.slice('attack.'.length).replace(/[-_]/g, ' ');
  return tag;
}

/** The MITRE page of a technique (`T1110.001` → …/techniques/T1110/001/). */
export function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}
