// Payload templates of auto-response webhooks: `{{path}}` placeholders over the alert (`{{rule}}`, `{{title}}`,
// `{{severity}}`, `{{alert_id}}`, `{{incident.id}}`, `{{group.user_id}}`, `{{entities.ip}}`...). Inside a JSON body a
// value is JSON-escaped (the template supplies the quotes), so a user name cannot break out of its string.

export class TemplateError extends Error {}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
const ROOTS = ['rule', 'title', 'severity', 'alert_id', 'incident', 'group', 'entities', 'first_ts', 'last_ts', 'event_count', 'tenant', 'description'];

/** Checks the placeholders' roots when the rule loads, so a typo fails there and not at 3 a.m. */
export function checkTemplate(template: string): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    const root = m[1]!.split('.')[0]!;
    if (!ROOTS.includes(root)) throw new TemplateError(`unknown placeholder {{${m[1]}}} (it starts with one of ${ROOTS.join(', ')})`);
  }
}

function lookup(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(text).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function renderTemplate(template: string, data: unknown, json: boolean): string {
  return template.replace(PLACEHOLDER, (_m, path: string) => {
    const s = text(lookup(data, path));
    return json ? JSON.stringify(s).slice(1, -1) : s;
  });
}
