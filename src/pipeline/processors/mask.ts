// `mask` processor: rewrites secrets and personal data in the line and in fields before anything is stored or
// forwarded, with one action per kind: `redact` (`[REDACTED:card]`), `hash` (truncated HMAC-SHA256 under a
// configured key, so equal values stay joinable) or `partial` (cards and phones keep their last 4 digits).

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RE2JS } from 're2js';
import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorEnv, type ProcessorType } from '../processor.ts';
import { MASK_KINDS, PRIORITY_USER, SecretScanner, type Finding, type MaskKind } from '../secret-scanner.ts';

export const MASK_ACTIONS = ['redact', 'hash', 'partial'] as const;
export type MaskAction = (typeof MASK_ACTIONS)[number];

const DEFAULT_KEY_ENV = 'SIGHTLINE_MASK_KEY';
const MIN_KEY_BYTES = 16;
/** distinct field names whose "is it a secret key" answer is remembered */
const KEY_CACHE_MAX = 10_000;

interface UserPattern {
  name: string;
  re: RE2JS;
  group: number;
  /** a literal the text must contain before the regex runs at all */
  contains: string | undefined;
}

export interface MaskConfig {
  kinds: MaskKind[];
  line: boolean;
  /** field names to mask; null means every field */
  fields: Set<string> | null;
  actions: Map<string, MaskAction>;
  hashKey: Buffer | null;
  hashLength: number;
  patterns: UserPattern[];
  secretKeys: string[];
  krRrnChecksum: boolean;
}

/** Masks text and events; the processor's engine, usable on its own (the benchmark and tests drive it). */
export class Masker {
  private readonly scanner: SecretScanner;
  private readonly findings: Finding[] = [];
  private readonly kept: Finding[] = [];
  private readonly secretByName = new Map<string, boolean>();
  private readonly secretKind: boolean;

  constructor(private readonly cfg: MaskConfig) {
    this.scanner = new SecretScanner({ kinds: new Set(cfg.kinds), extraSecretKeys: cfg.secretKeys, krRrnChecksum: cfg.krRrnChecksum });
    this.secretKind = cfg.kinds.includes('secret');
  }

  /** The text with every finding replaced; the same string when nothing was found. */
  maskText(text: string): string {
    const found = this.findings;
    // (setting an array's length is a runtime call: only when there is something to clear)
    if (found.length !== 0) found.length = 0;
    this.scanner.scan(text, found);
    for (let i = 0; i < this.cfg.patterns.length; i++) this.scanPattern(this.cfg.patterns[i]!, text, found);
    if (found.length === 0) return text;
    if (found.length > 1) found.sort(byPosition);
    // Resolve overlaps: the earlier finding stays unless a later one has a higher priority.
    const kept = this.kept;
    if (kept.length !== 0) kept.length = 0;
    for (let i = 0; i < found.length; i++) {
      const f = found[i]!;
      if (f.end <= f.start) continue;
      let top = kept.length > 0 ? kept[kept.length - 1]! : undefined;
      if (top !== undefined && f.start < top.end) {
        if (f.priority <= top.priority) continue;
        while (top !== undefined && f.start < top.end && f.priority > top.priority) {
          kept.pop();
          top = kept.length > 0 ? kept[kept.length - 1]! : undefined;
        }
        if (top !== undefined && f.start < top.end) continue;
      }
      kept.push(f);
    }
    let out = '';
    let pos = 0;
    for (let i = 0; i < kept.length; i++) {
      const f = kept[i]!;
      out += text.slice(pos, f.start);
      const r = this.replacement(f.kind, text.slice(f.start, f.end));
      out += f.quote === 1 ? `"${r}"` : f.quote === 2 ? `\\"${r}\\"` : r;
      pos = f.end;
    }
    return out + text.slice(pos);
  }

  /** Masks the line, the error details and the selected fields of each event, in place. */
  maskEvents(events: PipelineEvent[]): void {
    const line = this.cfg.line;
    const only = this.cfg.fields;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      if (line) ev.line = this.maskText(ev.line);
      // error details quote the input they failed on
      if (ev.errorDetails !== undefined && ev.errorDetails.length > 0) ev.errorDetails = this.maskText(ev.errorDetails);
      const fields = ev.fields;
      for (const name in fields) {
        if (only !== null && !only.has(name)) continue;
        const v = fields[name];
        if (typeof v === 'string') {
          if (v.length === 0) continue;
          if (this.isSecretName(name)) {
            if (v !== '-' && !isMasked(v)) fields[name] = this.replacement('secret', v);
          } else {
            // written back only when changed: a store by computed name is far dearer than the comparison
            const masked = this.maskText(v);
            if (masked !== v) fields[name] = masked;
          }
        } else if (typeof v === 'number' && this.isSecretName(name)) {
          fields[name] = this.replacement('secret', String(v));
        }
      }
    }
  }

  private isSecretName(name: string): boolean {
    if (!this.secretKind) return false;
    let known = this.secretByName.get(name);
    if (known === undefined) {
      known = this.scanner.isSecretKey(name);
      if (this.secretByName.size >= KEY_CACHE_MAX) this.secretByName.clear();
      this.secretByName.set(name, known);
    }
    return known;
  }

  private scanPattern(p: UserPattern, text: string, out: Finding[]): void {
    if (p.contains !== undefined && !text.includes(p.contains)) return;
    if (!p.re.test(text)) return;
    const m = p.re.matcher(text);
    let from = 0;
    while (from <= text.length && m.find(from)) {
      const s = m.start(p.group);
      const e = m.end(p.group);
      if (s >= 0 && e > s) out.push({ start: s, end: e, kind: p.name, priority: PRIORITY_USER, quote: 0 });
      const whole = m.end(0);
      from = whole > m.start(0) ? whole : whole + 1;
    }
  }

  /** What replaces `value` of `kind` under its action. */
  replacement(kind: string, value: string): string {
    const action = this.cfg.actions.get(kind) ?? 'redact';
    if (action === 'hash' && this.cfg.hashKey !== null) {
      const mac = createHmac('sha256', this.cfg.hashKey).update(hashInput(kind, value)).digest('hex');
      return `[HASH:${kind}:${mac.slice(0, this.cfg.hashLength)}]`;
    }
    if (action === 'partial') {
      const p = partial(kind, value);
      if (p !== null) return p;
    }
    return `[REDACTED:${kind}]`;
  }
}

function byPosition(a: Finding, b: Finding): number {
  return a.start - b.start || b.priority - a.priority || b.end - a.end;
}

function isMasked(v: string): boolean {
  return v.startsWith('[REDACTED:') || v.startsWith('[HASH:');
}

/** Equal values hash equally however they were written: card and phone numbers by their digits, e-mail case-folded. */
function hashInput(kind: string, value: string): string {
  if (kind === 'card' || kind === 'phone' || kind === 'kr_rrn') return value.replace(/\D/g, '');
  if (kind === 'email') return value.toLowerCase();
  return value;
}

/** Every digit but the last `keep` becomes `*`; separators stay (`****-****-****-1111`). */
function keepLastDigits(value: string, keep: number): string {
  let digits = 0;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) digits++;
  let out = '';
  let seen = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      seen++;
      out += seen > digits - keep ? value[i] : '*';
    } else {
      out += value[i];
    }
  }
  return out;
}

/** The partial form of a value, or null where a kind has none (it is then redacted). */
function partial(kind: string, value: string): string | null {
  switch (kind) {
    case 'card':
    case 'phone':
      return keepLastDigits(value, 4);
    case 'email': {
      const at = value.indexOf('@');
      return at > 0 ? `${value[0]}***${value.slice(at)}` : null;
    }
    case 'kr_rrn':
      // birth date and gender digit stay, the rest is hidden (the common Korean display form)
      return value.length === 14 ? `${value.slice(0, 8)}******` : null;
    default:
      return null;
  }
}

const PATTERN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function readHashKey(node: ConfigNode, env: ProcessorEnv): Buffer {
  const fileNode: ConfigNode = node.get('hash_key_file');
  if (fileNode.exists) {
    const path = resolve(env.configDir, fileNode.string());
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      fileNode.fail(`cannot read the hash key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const key = Buffer.from(text.replace(/\r?\n$/, ''), 'utf8');
    if (key.length < MIN_KEY_BYTES) fileNode.fail(`the hash key in ${path} is shorter than ${MIN_KEY_BYTES} bytes`);
    return key;
  }
  const envNode: ConfigNode = node.get('hash_key_env');
  const name = envNode.string(DEFAULT_KEY_ENV);
  const value = process.env[name];
  const where: ConfigNode = envNode.exists ? envNode : node;
  if (value === undefined || value.length === 0) {
    where.fail(`the hash action needs a key: set the environment variable ${name} (or hash_key_file) to a secret of at least ${MIN_KEY_BYTES} bytes`);
  }
  const key = Buffer.from(value, 'utf8');
  if (key.length < MIN_KEY_BYTES) where.fail(`the hash key in ${name} is shorter than ${MIN_KEY_BYTES} bytes`);
  return key;
}

/** Reads and validates a `mask` entry. */
export function readMaskConfig(node: ConfigNode, env: ProcessorEnv): MaskConfig {
  node.onlyKeys([
    ...COMMON_PROCESSOR_KEYS, 'kinds', 'line', 'fields', 'action', 'actions', 'secret_keys', 'kr_rrn_checksum',
    'hash_key_env', 'hash_key_file', 'hash_length', 'patterns',
  ]);
  const kindsNode = node.get('kinds');
  const kinds: MaskKind[] = kindsNode.exists
    ? kindsNode.stringList().map((k, i) => {
        if (!(MASK_KINDS as readonly string[]).includes(k)) {
          (kindsNode.isList ? kindsNode.items()[i]! : kindsNode).fail(`unknown kind ${JSON.stringify(k)} (expected one of ${MASK_KINDS.join(', ')})`);
        }
        return k as MaskKind;
      })
    : [...MASK_KINDS];
  const fieldsNode = node.get('fields');
  const fieldList = fieldsNode.stringList(['*']);
  const fields = fieldList.includes('*') ? null : new Set(fieldList);
  const actions = new Map<string, MaskAction>();
  const global = node.get('action').exists ? node.get('action').oneOf(MASK_ACTIONS) : undefined;
  for (const k of MASK_KINDS) actions.set(k, global ?? (k === 'card' ? 'partial' : 'redact'));
  const perKind = node.get('actions');
  if (perKind.exists) {
    for (const [k, v] of perKind.entries()) {
      if (!(MASK_KINDS as readonly string[]).includes(k)) v.fail(`unknown kind ${JSON.stringify(k)} (expected one of ${MASK_KINDS.join(', ')})`);
      actions.set(k, v.oneOf(MASK_ACTIONS));
    }
  }
  const patterns: UserPattern[] = [];
  const patternsNode = node.get('patterns');
  if (patternsNode.exists) {
    for (const p of patternsNode.items()) {
      p.onlyKeys(['name', 'regex', 'group', 'action', 'contains']);
      const name = p.get('name').string();
      if (!PATTERN_NAME.test(name)) p.get('name').fail(`expected a name of letters, digits, '_', '.' or '-', got ${JSON.stringify(name)}`);
      const regexNode: ConfigNode = p.get('regex');
      const source = regexNode.string();
      let re: RE2JS | undefined;
      try {
        re = RE2JS.compile(source);
      } catch (e) {
        regexNode.fail(`invalid RE2 regular expression: ${(e as Error).message}`);
      }
      if (re === undefined) regexNode.fail('expected a regular expression');
      const group = p.get('group').integer(0, 0);
      if (group > re.groupCount()) p.get('group').fail(`the regex has ${re.groupCount()} capture group(s), got group ${group}`);
      const contains = p.get('contains').optionalString();
      actions.set(name, p.get('action').exists ? p.get('action').oneOf(MASK_ACTIONS) : (global ?? 'redact'));
      patterns.push({ name, re, group, contains: contains === '' ? undefined : contains });
    }
  }
  const usesHash = [...actions.entries()].some(([k, a]) => a === 'hash' && (kinds.includes(k as MaskKind) || patterns.some((p) => p.name === k)));
  const hashKey = usesHash ? readHashKey(node, env) : null;
  return {
    kinds,
    line: node.get('line').boolean(true),
    fields,
    actions,
    hashKey,
    hashLength: node.get('hash_length').integer(16, 8, 64),
    patterns,
    secretKeys: node.get('secret_keys').stringList([]),
    krRrnChecksum: node.get('kr_rrn_checksum').boolean(true),
  };
}

export const maskProcessor: ProcessorType = {
  type: 'mask',
  description: 'redacts, hashes or partially hides card numbers, secrets, tokens, keys, e-mails, phones and Korean RRNs',
  build(node: ConfigNode, env: ProcessorEnv): Processor {
    const masker = new Masker(readMaskConfig(node, env));
    return {
      process(events: PipelineEvent[]): PipelineEvent[] {
        masker.maskEvents(events);
        return events;
      },
    };
  },
};
