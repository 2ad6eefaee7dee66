// Compiles a grok expression (`%{PATTERN}`, `%{PATTERN:field}`, `%{PATTERN:field:int|float}`, inline `(?<field>…)`
// or `(?P<field>…)` groups) into one RE2 regex plus the list of its captures. Pattern references expand textually
// (as in Logstash); unnamed references become non-capturing groups, so only named ones cost a capture.

export type GrokType = 'string' | 'int' | 'float';

export interface GrokCapture {
  /** the regex group name (internal: `_g<N>`), resolved to a group number after compilation */
  group: string;
  field: string;
  type: GrokType;
}

export interface GrokExpansion {
  regex: string;
  captures: GrokCapture[];
}

export class GrokError extends Error {}

const REFERENCE = /%\{(\w+)(?::([^:}]+))?(?::(\w+))?\}/y;
const MAX_DEPTH = 64;
const MAX_REGEX_LENGTH = 200_000;

/** `[http][status]` (Logstash field reference) → `http_status`; other names are used as written. */
function fieldName(raw: string): string {
  if (/^(?:\[[^\]]+\])+$/.test(raw)) return raw.slice(1, -1).split('][').join('_');
  return raw;
}

function typeOf(raw: string | undefined, ref: string): GrokType {
  if (raw === undefined || raw === 'string') return 'string';
  if (raw === 'int' || raw === 'float') return raw;
  throw new GrokError(`${ref}: unknown type ${JSON.stringify(raw)} (expected int or float)`);
}

/**
 * Expands `expression` against `lookup` (pattern name → definition). Throws GrokError for an unknown pattern, a
 * pattern that refers to itself, or an unknown type.
 */
export function expandGrok(expression: string, lookup: (name: string) => string | undefined): GrokExpansion {
  const captures: GrokCapture[] = [];
  const nextGroup = (field: string, type: GrokType): string => {
    const group = `_g${captures.length}`;
    captures.push({ group, field, type });
    return group;
  };

  const expand = (text: string, stack: string[]): string => {
    if (stack.length > MAX_DEPTH) throw new GrokError(`patterns nest deeper than ${MAX_DEPTH} levels (${stack.join(' → ')})`);
    let out = '';
    let i = 0;
    let inClass = false;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '%' && text[i + 1] === '{') {
        REFERENCE.lastIndex = i;
        const m = REFERENCE.exec(text);
        if (!m) throw new GrokError(`malformed pattern reference at ${JSON.stringify(text.slice(i, i + 40))} (expected %{NAME}, %{NAME:field} or %{NAME:field:type})`);
        const [ref, name, field, type] = m;
        const definition = lookup(name);
        if (definition === undefined) throw new GrokError(`unknown grok pattern %{${name}}`);
        if (stack.includes(name)) throw new GrokError(`pattern ${name} refers to itself (${[...stack, name].join(' → ')})`);
        const captureType = typeOf(type, ref);
        // a field's group is opened before its body expands so groups keep the order of the text
        const group = field !== undefined ? nextGroup(fieldName(field), captureType) : undefined;
        const body = expand(definition, [...stack, name]);
        out += group !== undefined ? `(?P<${group}>${body})` : `(?:${body})`;
        if (out.length > MAX_REGEX_LENGTH) throw new GrokError(`expanded pattern is longer than ${MAX_REGEX_LENGTH} characters`);
        i += ref.length;
        continue;
      }
      if (ch === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (inClass) {
        if (ch === ']') inClass = false;
        out += ch;
        i++;
        continue;
      }
      if (ch === '[') {
        inClass = true;
        out += ch;
        i++;
        // `[]…]` and `[^]…]`: a leading `]` is literal
        if (text[i] === '^') out += text[i++];
        if (text[i] === ']') out += text[i++];
        continue;
      }
      if (ch === '(' && text[i + 1] === '?') {
        // inline named groups: Oniguruma's (?<name>…) and RE2's (?P<name>…); not lookbehinds (?<= (?<!
        const named = /^\(\?P?<([A-Za-z_][\w.@\][-]*)>/.exec(text.slice(i, i + 120));
        if (named) {
          out += `(?P<${nextGroup(fieldName(named[1]), 'string')}>`;
          i += named[0].length;
          continue;
        }
      }
      out += ch;
      i++;
    }
    return out;
  };

  return { regex: expand(expression, []), captures };
}
