// Finds secrets and personal data with hand-written linear scanners: cards, key/value and JSON secrets, URL
// credentials, bearer tokens, JWTs, cloud keys, e-mails, phones, Korean RRNs. `scan` appends findings (ranges to
// replace), allocates nothing for clean text, and runs a detector only where its anchor (`=`, `:`, `@`, prefix, digits) is.

import { krRrnValid } from './kr-rrn.ts';
import { luhnValid } from './luhn.ts';

export const MASK_KINDS = ['card', 'secret', 'url', 'bearer', 'jwt', 'cloud_key', 'email', 'phone', 'kr_rrn'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export interface Finding {
  start: number;
  end: number;
  /** a MaskKind, or a user pattern's name */
  kind: string;
  /** on overlap the higher priority wins: context (a key said it is a secret) beats shape (it looks like a phone) */
  priority: number;
  /** a bare JSON scalar after a quoted key: its replacement needs quotes (1: `"`, 2: `\\"` in an escaped document) */
  quote: 0 | 1 | 2;
}

export const PRIORITY_SHAPE = 1;
export const PRIORITY_CONTEXT = 2;
export const PRIORITY_USER = 3;

export interface ScannerOptions {
  kinds: ReadonlySet<string>;
  /** more key names whose values are secrets (matched like the built-in ones: case, `_`, `-`, `.` ignored) */
  extraSecretKeys?: readonly string[];
  /** validate the check digit of pre-2020 Korean resident registration numbers (default true) */
  krRrnChecksum?: boolean;
}

// Key names (lower-cased, without `_`, `-`, `.`) whose value is a secret, exactly or as a suffix (`db_password`).
const SECRET_KEYS_EXACT = [
  'pass', 'pwd', 'passwd', 'pin', 'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'sessionid',
  'credential', 'credentials', 'jwt', 'sig', 'xamzcredential',
];
const SECRET_KEY_SUFFIXES = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'secretkey', 'privatekey', 'signature',
  'secretaccesskey', 'accesskeysecret',
];
// Authorization schemes (RFC 9110 §11.4) whose credential is the next token.
const AUTH_SCHEMES = ['bearer', 'basic', 'token', 'apikey', 'negotiate'];

/** No detector finds anything in shorter text: the shortest finding is a 2+ character key and a value (`ab=c`). */
const MIN_FINDING_LENGTH = 4;
/** What `scanBearer`, `scanJwt` and `scanCloudKeys` look for first, as regular-expression alternatives. */
const BEARER_LITERAL = 'earer ';
const JWT_LITERAL = 'eyJ';
const CLOUD_KEY_LITERALS = ['AKIA', 'ASIA', 'AIza', 'gh[pousr]_', 'github_pat_', 'xox[abprs]-', 'k_live_', 'k_test_'];
/** Text up to this length is first checked for anchors by one character loop: cheaper than a few native searches. */
const SHORT_TEXT = 40;
// Character classes for `anchorless`.
const C_ANCHOR = 1; // `=`, `:`, `@`: key/value pairs, URLs, e-mail addresses
const C_JOIN = 2; // joins digit groups in a cluster
const C_SECOND = 4; // the second character of a literal prefix (`rer ` of `Bearer `, `yJ`, `AK`, `gh`, `xo`, `k_`)
const CHAR_CLASS = new Uint8Array(128);
for (const c of '=:@') CHAR_CLASS[c.charCodeAt(0)] = C_ANCHOR;
for (const c of ' -.)') CHAR_CLASS[c.charCodeAt(0)] |= C_JOIN;
for (const c of ' JKSIho_') CHAR_CLASS[c.charCodeAt(0)] |= C_SECOND;

/** Whether `prev` then `c` (a C_SECOND character) start one of the literal prefixes. */
function startsLiteral(prev: number, c: number): boolean {
  switch (c) {
    case 32: // `r ` of `Bearer `
      return prev === 114;
    case 74: // `yJ`
      return prev === 121;
    case 104: // `gh`
      return prev === 103;
    case 111: // `xo`
      return prev === 120;
    case 95: // `k_`
      return prev === 107;
    default: // `AK`, `AS`, `AI`
      return prev === 65;
  }
}

/**
 * True when `text` has none of the anchors every detector needs: no `=`, `:` or `@`, none of the two-character starts
 * of the literal prefixes (BEARER_LITERAL, JWT_LITERAL, CLOUD_KEY_LITERALS) and no 8 digits joined the way a
 * numeric cluster may join them (`scanNumbers`). Such text holds no finding: a cheap answer for the many short
 * field values.
 */
function anchorless(text: string): boolean {
  let run = 0;
  let prev = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run === 8) return false;
      prev = c;
      continue;
    }
    const k = c < 128 ? CHAR_CLASS[c]! : 0;
    if (k === C_ANCHOR) return false;
    if ((k & C_SECOND) !== 0 && startsLiteral(prev, c)) return false;
    // a join keeps the digit run going when it follows a digit (or is the space of `) `)
    if ((k & C_JOIN) === 0 || !((prev >= 48 && prev <= 57) || (c === 32 && prev === 41))) run = 0;
    prev = c;
  }
  return true;
}

const CARD_MIN = 13;
const CARD_MAX = 19;
const MAX_GROUPS = 32;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}
function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}
function isUpperOrDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90);
}
/** base64url alphabet (RFC 4648 §5) */
function isB64Url(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45;
}
function isKeyChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45 || c === 46;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
/** RFC 5322 dot-atom characters used in practice for local parts */
function isEmailLocal(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}
function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}
/** token68 of RFC 9110 §11.2 plus `.` and `~` seen in opaque tokens */
function isTokenChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 46 || c === 95 || c === 126 || c === 43 || c === 47 || c === 61;
}
/** where a bare value (`password=hunter2`) ends */
function endsBareValue(c: number): boolean {
  return isSpace(c) || c === 38 || c === 44 || c === 59 || c === 34 || c === 39 || c === 125 || c === 93 || c === 41 || c === 60 || c === 62;
}

/** `logo@2x.png`: a high-density image name (digits then `x` before the extension), not an address. */
function isScaleSuffix(text: string, from: number, dot: number): boolean {
  if (dot - from < 2 || (text.charCodeAt(dot - 1) | 32) !== 120) return false;
  for (let i = from; i < dot - 1; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

interface KeyName {
  /** normalized: lower case, no separators */
  name: string;
  /** the whole key must be this name (else: the key ends with it) */
  exact: boolean;
  kind: MaskKind;
}

function keyName(name: string, exact: boolean): KeyName {
  return { name, exact, kind: name.includes('secretaccesskey') || name.includes('accesskeysecret') ? 'cloud_key' : 'secret' };
}

/** The separators a key may hold (`db_password`, `x-api-key`, `aws.secret`), which key matching skips. */
function isNameSeparator(c: number): boolean {
  return c === 95 || c === 45 || c === 46;
}

function isKeySeparator(c: number): boolean {
  return c === 95 || c === 45 || c === 46 || c === 32;
}

/** Lower-cases and drops `_`, `-`, `.` and spaces, so `X-Api-Key`, `api_key` and `apiKey` compare equal. */
export function normalizeKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 95 || c === 45 || c === 46 || c === 32) continue;
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : key[i];
  }
  return out;
}

export class SecretScanner {
  private readonly card: boolean;
  private readonly secret: boolean;
  private readonly url: boolean;
  private readonly bearer: boolean;
  private readonly jwt: boolean;
  private readonly cloudKey: boolean;
  private readonly email: boolean;
  private readonly phone: boolean;
  private readonly krRrn: boolean;
  private readonly krRrnChecksum: boolean;
  /** key/value pairs are looked at (for secrets, URL parameters, authorization headers or cloud keys) */
  private readonly keyValues: boolean;
  /** the literal prefixes of the enabled bearer, JWT and cloud-key detectors: none of them can match without one */
  private readonly literals: RegExp | null;
  /** secret key names by their last (lower-case) character, matched backwards in place without allocating */
  private readonly keysByLast: (KeyName[] | undefined)[] = new Array<KeyName[] | undefined>(128);
  /**
   * 1 at [last * 128 + before] when some secret key name ends with those two (lower-case ASCII) characters, or has the
   * last one alone: most keys (`"time":`, `"level":`) are thereby passed over on two characters.
   */
  private readonly keyEndings = new Uint8Array(128 * 128);
  // Digit groups of the current numeric cluster (reused: no allocation per line).
  private readonly gStart = new Int32Array(MAX_GROUPS);
  private readonly gEnd = new Int32Array(MAX_GROUPS);
  private readonly gSep = new Uint16Array(MAX_GROUPS);

  constructor(opts: ScannerOptions) {
    const k = opts.kinds;
    this.card = k.has('card');
    this.secret = k.has('secret');
    this.url = k.has('url');
    this.bearer = k.has('bearer');
    this.jwt = k.has('jwt');
    this.cloudKey = k.has('cloud_key');
    this.email = k.has('email');
    this.phone = k.has('phone');
    this.krRrn = k.has('kr_rrn');
    this.krRrnChecksum = opts.krRrnChecksum ?? true;
    this.keyValues = this.secret || this.url || this.bearer || this.cloudKey;
    const literals: string[] = [];
    if (this.bearer) literals.push(BEARER_LITERAL);
    if (this.jwt) literals.push(JWT_LITERAL);
    if (this.cloudKey) literals.push(...CLOUD_KEY_LITERALS);
    this.literals = literals.length > 0 ? new RegExp(literals.join('|')) : null;
    const names: KeyName[] = [];
    for (const k of SECRET_KEYS_EXACT) names.push(keyName(k, true));
    for (const k of SECRET_KEY_SUFFIXES) names.push(keyName(k, false));
    for (const key of opts.extraSecretKeys ?? []) {
      const norm = normalizeKey(key);
      if (norm.length > 0) names.push(keyName(norm, true));
    }
    for (const kn of names) {
      const c = kn.name.charCodeAt(kn.name.length - 1);
      if (c >= 128) continue;
      (this.keysByLast[c] ??= []).push(kn);
      if (kn.name.length === 1) this.keyEndings.fill(1, c * 128, c * 128 + 128);
      else {
        // a key is made of ASCII characters only: a name with another one before its last can never match
        const b = kn.name.charCodeAt(kn.name.length - 2);
        if (b < 128) this.keyEndings[c * 128 + b] = 1;
      }
    }
  }

  /**
   * Appends what `text` holds to `out` (unsorted, possibly overlapping). Each detector needs an anchor (`=`, `:`,
   * `@`, a literal prefix, 8+ joined digits), and runs only where its anchor is: short text (most field values) is
   * checked for all of them by one character loop, longer text by one native search per anchor (one regular
   * expression for all the literal prefixes) and one light pass over its digits.
   */
  scan(text: string, out: Finding[]): void {
    const n = text.length;
    if (n < MIN_FINDING_LENGTH || (n <= SHORT_TEXT && anchorless(text))) return;
    // (detectors run in the order findings were always appended in, so equal findings keep their order)
    const colon = this.keyValues ? text.indexOf(':') : -1;
    if (this.url && colon !== -1) this.scanUrlUserinfo(text, out, colon);
    if (this.keyValues) {
      const eq = text.indexOf('=');
      if (eq !== -1) this.scanKeyValues(text, out, 61 /* = */, eq);
      if (colon !== -1) this.scanKeyValues(text, out, 58 /* : */, colon);
    }
    if (this.literals !== null && this.literals.test(text)) {
      if (this.bearer) this.scanBearer(text, out);
      if (this.jwt) this.scanJwt(text, out);
      if (this.cloudKey) this.scanCloudKeys(text, out);
    }
    if (this.email) {
      const at = text.indexOf('@');
      if (at !== -1) this.scanEmails(text, out, at);
    }
    if (this.card || this.phone || this.krRrn) this.scanNumbers(text, out);
  }

  /** True if a field or key of this name holds a secret (`password`, `db_password`, `X-Api-Key`, `client_secret`…). */
  isSecretKey(name: string): boolean {
    return this.secretKeyKind(name, 0, name.length) !== null;
  }

  /** What a key `text[start, end)` says its value is (`secret`, `cloud_key`), or null; case and `_`, `-`, `.` ignored. */
  private secretKeyKind(text: string, start: number, end: number): MaskKind | null {
    let e = end;
    while (e > start && isKeySeparator(text.charCodeAt(e - 1))) e--;
    if (e === start) return null;
    const last = text.charCodeAt(e - 1) | 32;
    const list = last < 128 ? this.keysByLast[last] : undefined;
    if (list === undefined) return null;
    for (let n = 0; n < list.length; n++) {
      const kn = list[n]!;
      const name = kn.name;
      let i = e - 1;
      let j = name.length - 1;
      while (j >= 0 && i >= start) {
        const c = text.charCodeAt(i);
        if (isKeySeparator(c)) {
          i--;
          continue;
        }
        if ((c >= 65 && c <= 90 ? c + 32 : c) !== name.charCodeAt(j)) break;
        i--;
        j--;
      }
      if (j >= 0) continue;
      if (kn.exact) {
        while (i >= start && isKeySeparator(text.charCodeAt(i))) i--;
        if (i >= start) continue;
      }
      return kn.kind;
    }
    return null;
  }

  private push(out: Finding[], start: number, end: number, kind: string, priority: number, quote: 0 | 1 | 2 = 0): void {
    out.push({ start, end, kind, priority, quote });
  }

  /** `scheme://user:password@host` (RFC 3986 §3.2.1): the password. */
  private scanUrlUserinfo(text: string, out: Finding[], firstColon: number): void {
    let p = text.indexOf('://', firstColon);
    while (p !== -1) {
      if (p > 0 && isAlpha(text.charCodeAt(p - 1))) {
        const start = p + 3;
        let end = start;
        let at = -1;
        for (; end < text.length; end++) {
          const c = text.charCodeAt(end);
          if (c === 47 || c === 63 || c === 35 || isSpace(c) || c === 34 || c === 39 || c === 60 || c === 62) break;
          if (c === 64) at = end;
        }
        // Only a password is masked: a user name alone (`akka.tcp://system@host`) is no credential, and tokens
        // passed as a user name (`https://ghp_…@github.com`) are caught by their own shape.
        if (at > start) {
          const colon = text.indexOf(':', start);
          if (colon !== -1 && colon < at && at > colon + 1) this.push(out, colon + 1, at, 'url', PRIORITY_CONTEXT);
        }
        p = text.indexOf('://', end);
      } else {
        p = text.indexOf('://', p + 3);
      }
    }
  }

  /**
   * `key=value`, `key: value`, `"key": "value"` (also JSON escaped inside a string: `\"key\":\"value\"`) and URL
   * query parameters, where the key names a secret.
   */
  private scanKeyValues(text: string, out: Finding[], sep: number, first: number): void {
    const n = text.length;
    const ch = sep === 61 ? '=' : ':';
    let p = first;
    while (p !== -1) {
      // continue after the value just read, so no text is scanned twice (`password="password="…` stays linear)
      const resume = this.keyValueAt(text, out, sep, p, n);
      p = text.indexOf(ch, resume);
    }
  }

  /** Reads a key/value pair around the separator at `p`; returns where scanning goes on. */
  private keyValueAt(text: string, out: Finding[], sep: number, p: number, n: number): number {
    // The key: bare (`password=`) or quoted (`"password":`, `\"password\":` inside an escaped document), then spaces.
    let j = p - 1;
    while (j >= 0 && text.charCodeAt(j) === 32) j--;
    if (j < 0) return p + 1;
    let quote: 0 | 1 | 2 = 0;
    const q = text.charCodeAt(j);
    if (q === 34 || q === 39) {
      quote = 1;
      j--;
      if (j >= 0 && text.charCodeAt(j) === 92) {
        quote = 2;
        j--;
      }
    }
    const keyEnd = j + 1;
    // Cheap filter: the key's last letter must end some secret key name.
    const last = text.charCodeAt(keyEnd - 1) | 32;
    if (last >= 128 || this.keysByLast[last] === undefined) return p + 1;
    // ... and, separators skipped, its last two characters must end one (a one-character key is looked at below)
    let b = keyEnd - 2;
    while (b >= 0 && isNameSeparator(text.charCodeAt(b))) b--;
    if (b >= 0) {
      const before = text.charCodeAt(b);
      if (isAlnum(before) && this.keyEndings[last * 128 + (before >= 65 && before <= 90 ? before + 32 : before)] === 0) return p + 1;
    }
    const floor = Math.max(-1, j - 65); // keys are short: a long run of word characters is no key
    while (j > floor && isKeyChar(text.charCodeAt(j))) j--;
    const keyStart = j + 1;
    if (keyEnd - keyStart < 2 || keyEnd - keyStart > 64) return p + 1;
    if (quote !== 0) {
      if (keyStart === 0 || text.charCodeAt(keyStart - 1) !== q) return p + 1;
      if (quote === 2 && (keyStart < 2 || text.charCodeAt(keyStart - 2) !== 92)) return p + 1;
    }
    let kind: string | null = this.secretKeyKind(text, keyStart, keyEnd);
    if (kind === null) return p + 1;
    if (sep === 61 && quote === 0 && keyStart > 0) {
      const before = text.charCodeAt(keyStart - 1);
      if (before === 63 || before === 38) kind = 'url'; // `?token=…&password=…` (RFC 3986 §3.4)
    }
    // The value: quoted (the range inside the quotes), escaped-quoted, or bare up to a delimiter.
    let v = p + 1;
    if (sep === 61 && v < n && text.charCodeAt(v) === 61) return p + 1; // `==`
    while (v < n && (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9)) v++;
    if (v >= n) return p + 1;
    const c = text.charCodeAt(v);
    let start: number;
    let end: number;
    let quoted = true;
    let wrap: 0 | 1 | 2 = 0;
    if (c === 34 || c === 39) {
      start = v + 1;
      end = start;
      while (end < n) {
        const e = text.charCodeAt(end);
        if (e === c) break;
        if (e === 92) end++; // a backslash escapes the next character (RFC 8259 §7)
        end++;
      }
      if (end > n) end = n;
    } else if (c === 92 && v + 1 < n && text.charCodeAt(v + 1) === 34) {
      start = v + 2;
      const close = text.indexOf('\\"', start);
      end = close === -1 ? n : close;
    } else {
      if (c === 123 || c === 91) return p + 1; // a nested object or array: its own keys are looked at on their own
      quoted = false;
      start = v;
      end = v;
      while (end < n && !endsBareValue(text.charCodeAt(end))) end++;
      const len = end - start;
      if (len === 0) return p + 1;
      // JSON literals, and `-`, the access-log placeholder for "none"
      if ((len === 4 && (text.startsWith('null', start) || text.startsWith('true', start))) || (len === 5 && text.startsWith('false', start))) return p + 1;
      if (len === 1 && text.charCodeAt(start) === 45) return p + 1;
      // a bare JSON scalar after a quoted key becomes a string, so the document stays valid
      if (quote !== 0 && q === 34) wrap = quote;
    }
    if (end <= start) return p + 1;
    if (text.charCodeAt(start) === 91 && (text.startsWith('[REDACTED:', start) || text.startsWith('[HASH:', start))) return p + 1;
    // `Authorization: Bearer <token>` (RFC 9110 §11.6.2): keep the scheme, mask the credential.
    const t = this.afterAuthScheme(text, start, n);
    if (t > 0) {
      let te = quoted ? end : t;
      if (!quoted) while (te < n && isTokenChar(text.charCodeAt(te))) te++;
      if (te > t) {
        const isBearer = (text.charCodeAt(start) | 32) === 98 && (text.charCodeAt(start + 1) | 32) === 101;
        const k = this.enabledKind(isBearer ? 'bearer' : kind);
        if (k !== '') this.push(out, t, te, k, PRIORITY_CONTEXT);
      }
      return Math.max(te, p + 1);
    }
    const k = this.enabledKind(kind);
    if (k !== '') this.push(out, start, end, k, PRIORITY_CONTEXT, wrap);
    return end;
  }

  /** If an authorization scheme word and a space start at `start`, the index of the credential after them; else 0. */
  private afterAuthScheme(text: string, start: number, n: number): number {
    let w = start;
    while (w < n && isAlpha(text.charCodeAt(w))) w++;
    const len = w - start;
    if (len < 5 || len > 9 || w >= n || text.charCodeAt(w) !== 32) return 0;
    if (!AUTH_SCHEMES.includes(text.slice(start, w).toLowerCase())) return 0;
    while (w < n && text.charCodeAt(w) === 32) w++;
    return w;
  }

  /** A kind found from a key's context falls back to `secret` when its own kind is switched off. */
  private enabledKind(kind: string): string {
    switch (kind) {
      case 'url':
        return this.url ? 'url' : this.secret ? 'secret' : '';
      case 'bearer':
        return this.bearer ? 'bearer' : this.secret ? 'secret' : '';
      case 'cloud_key':
        return this.cloudKey ? 'cloud_key' : this.secret ? 'secret' : '';
      default:
        return this.secret ? kind : '';
    }
  }

  /** `Bearer <token>` anywhere (RFC 6750 §2.1), tokens of 8+ characters. */
  private scanBearer(text: string, out: Finding[]): void {
    let p = text.indexOf('earer ');
    while (p !== -1) {
      const b = text.charCodeAt(p - 1);
      if (p > 0 && (b === 66 || b === 98) && (p === 1 || !isAlnum(text.charCodeAt(p - 2)))) {
        let t = p + 6;
        while (t < text.length && text.charCodeAt(t) === 32) t++;
        let e = t;
        while (e < text.length && isTokenChar(text.charCodeAt(e))) e++;
        if (e - t >= 8) this.push(out, t, e, 'bearer', PRIORITY_CONTEXT);
        p = text.indexOf('earer ', e);
      } else {
        p = text.indexOf('earer ', p + 6);
      }
    }
  }

  /** JWS compact serialization (RFC 7515 §7.1): three base64url segments, the header a JSON object (`eyJ`). */
  private scanJwt(text: string, out: Finding[]): void {
    const n = text.length;
    let p = text.indexOf('eyJ');
    while (p !== -1) {
      let e = p + 3;
      if (p === 0 || !isB64Url(text.charCodeAt(p - 1))) {
        while (e < n && isB64Url(text.charCodeAt(e))) e++;
        if (e - p >= 10 && e < n && text.charCodeAt(e) === 46) {
          let e2 = e + 1;
          while (e2 < n && isB64Url(text.charCodeAt(e2))) e2++;
          if (e2 - e > 2 && e2 < n && text.charCodeAt(e2) === 46) {
            let e3 = e2 + 1;
            while (e3 < n && isB64Url(text.charCodeAt(e3))) e3++;
            this.push(out, p, e3, 'jwt', PRIORITY_CONTEXT);
            e = e3;
          }
        }
      }
      p = text.indexOf('eyJ', e);
    }
  }

  /**
   * Provider key formats: AWS access key ids (`AKIA`/`ASIA` + 16), Google API keys (`AIza` + 35), GitHub tokens
   * (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36; `github_pat_`), Slack (`xoxb-`…) and Stripe secret keys.
   */
  private scanCloudKeys(text: string, out: Finding[]): void {
    this.scanFixed(text, out, 'AKIA', 16, isUpperOrDigit);
    this.scanFixed(text, out, 'ASIA', 16, isUpperOrDigit);
    this.scanFixed(text, out, 'AIza', 35, isB64Url);
    const n = text.length;
    let p = text.indexOf('gh');
    while (p !== -1) {
      if (p === 0 || !isAlnum(text.charCodeAt(p - 1))) {
        const c = text.charCodeAt(p + 2);
        if ((c === 112 || c === 111 || c === 117 || c === 115 || c === 114) && text.charCodeAt(p + 3) === 95) {
          let e = p + 4;
          while (e < n && isAlnum(text.charCodeAt(e))) e++;
          if (e - p - 4 >= 36) this.push(out, p, e, 'cloud_key', PRIORITY_CONTEXT);
        }
      }
      p = text.indexOf('gh', p + 2);
    }
    // fine-grained personal access tokens: `github_pat_` + 22 + `_` + 59
    p = text.indexOf('github_pat_');
    while (p !== -1) {
      let e = p + 11;
      if (p === 0 || !isAlnum(text.charCodeAt(p - 1))) {
        while (e < n && (isAlnum(text.charCodeAt(e)) || text.charCodeAt(e) === 95)) e++;
        if (e - p - 11 >= 22) this.push(out, p, e, 'cloud_key', PRIORITY_CONTEXT);
      }
      p = text.indexOf('github_pat_', e);
    }
    p = text.indexOf('xox');
    while (p !== -1) {
      const c = text.charCodeAt(p + 3);
      if ((p === 0 || !isAlnum(text.charCodeAt(p - 1))) && (c === 98 || c === 97 || c === 112 || c === 114 || c === 115) && text.charCodeAt(p + 4) === 45) {
        let e = p + 5;
        while (e < n && (isAlnum(text.charCodeAt(e)) || text.charCodeAt(e) === 45)) e++;
        if (e - p - 5 >= 10) this.push(out, p, e, 'cloud_key', PRIORITY_CONTEXT);
      }
      p = text.indexOf('xox', p + 3);
    }
    this.scanStripe(text, out, 'k_live_');
    this.scanStripe(text, out, 'k_test_');
  }

  private scanFixed(text: string, out: Finding[], prefix: string, len: number, ok: (c: number) => boolean): void {
    let p = text.indexOf(prefix);
    while (p !== -1) {
      const end = p + prefix.length + len;
      if ((p === 0 || !isAlnum(text.charCodeAt(p - 1))) && end <= text.length && (end === text.length || !isB64Url(text.charCodeAt(end)))) {
        let i = p + prefix.length;
        while (i < end && ok(text.charCodeAt(i))) i++;
        if (i === end) this.push(out, p, end, 'cloud_key', PRIORITY_CONTEXT);
      }
      p = text.indexOf(prefix, p + prefix.length);
    }
  }

  /** Stripe secret (`sk_`) and restricted (`rk_`) keys; publishable `pk_` keys are public by design. */
  private scanStripe(text: string, out: Finding[], infix: string): void {
    let p = text.indexOf(infix);
    while (p !== -1) {
      const s = p - 1;
      const c = s >= 0 ? text.charCodeAt(s) : 0;
      if ((c === 115 || c === 114) && (s === 0 || !isAlnum(text.charCodeAt(s - 1)))) {
        let e = p + infix.length;
        while (e < text.length && isAlnum(text.charCodeAt(e))) e++;
        if (e - p - infix.length >= 10) this.push(out, s, e, 'cloud_key', PRIORITY_CONTEXT);
      }
      p = text.indexOf(infix, p + infix.length);
    }
  }

  /** `local@domain.tld`: a dot-atom local part and a domain whose last label is 2+ letters. */
  private scanEmails(text: string, out: Finding[], firstAt: number): void {
    const n = text.length;
    let p = firstAt;
    while (p !== -1) {
      let s = p;
      while (s > 0 && isEmailLocal(text.charCodeAt(s - 1))) s--;
      while (s < p && text.charCodeAt(s) === 46) s++;
      let e = p + 1;
      while (e < n && isDomainChar(text.charCodeAt(e))) e++;
      while (e > p + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
      if (s < p && e > p + 1) {
        let dot = e - 1;
        while (dot > p + 1 && text.charCodeAt(dot) !== 46) dot--; // the last dot of this domain only
        if (dot > p + 1 && e - dot - 1 >= 2) {
          let tld = true;
          for (let i = dot + 1; i < e; i++) if (!isAlpha(text.charCodeAt(i))) tld = false;
          if (tld && !isScaleSuffix(text, p + 1, dot)) this.push(out, s, e, 'email', PRIORITY_SHAPE);
        }
      }
      p = text.indexOf('@', Math.max(e, p + 1));
    }
  }

  /**
   * Card numbers, Korean RRNs and phone numbers, in the numeric clusters (`clusterFrom`) that hold 8+ digits. A first,
   * light pass reads runs of digits joined by anything a cluster may be joined by (one space, dash or dot, `)` and an
   * optional space); only a run of 8+ digits can hold such a cluster, and only those runs are read as clusters. A run
   * starts where no cluster can be going on, so reading its clusters from its start finds what a scan from the
   * start of the text finds.
   */
  private scanNumbers(text: string, out: Finding[]): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c0 = text.charCodeAt(i);
      if (c0 < 48 || c0 > 57) {
        i++;
        continue;
      }
      const start = i;
      let digits = 1;
      let j = i + 1;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c >= 48 && c <= 57) {
          digits++;
          j++;
          continue;
        }
        let k = j + 1;
        if (c === 41 && k < n && text.charCodeAt(k) === 32) k++;
        else if (c !== 32 && c !== 45 && c !== 46 && c !== 41) break;
        if (k >= n || !isDigit(text.charCodeAt(k))) break;
        j = k;
      }
      if (digits < 8) {
        i = j;
        continue;
      }
      i = start;
      while (i < j) i = this.clusterFrom(text, out, i, n);
    }
  }

  /**
   * Numeric clusters: runs of digit groups joined by single spaces, dashes or dots (and a leading `+` or `(area)`).
   * Each is tried as a card number, a Korean RRN, then a phone number, on group boundaries. Reads the cluster at or
   * after `i` and returns where the next one may start.
   */
  private clusterFrom(text: string, out: Finding[], i: number, n: number): number {
    const gs = this.gStart;
    const ge = this.gEnd;
    const sep = this.gSep;
    while (i < n) {
      const c0 = text.charCodeAt(i);
      if (c0 >= 48 && c0 <= 57) break;
      i++;
    }
    if (i >= n) return n;
    // A cluster starts here; note what precedes it.
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
    const plus = prev === 43 && (i < 2 || !isAlnum(text.charCodeAt(i - 2)));
    const paren = prev === 40;
    // `blk_-1608…`, `id-4111…`, `v1.4111…`: a number glued to a word is part of an identifier
    const before = i > 1 ? text.charCodeAt(i - 2) : 0;
    const gluedLeft = isAlpha(prev) || prev === 95 || ((prev === 45 || prev === 46) && (isAlnum(before) || before === 95));
    let g = 0;
    let digits = 0;
    let closeParen = false;
    let j = i;
    for (;;) {
      const s = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      if (g < MAX_GROUPS) {
        gs[g] = s;
        ge[g] = j;
        sep[g] = 0;
      }
      g++;
      digits += j - s;
      // a longer cluster is cut here; the rest starts a new one
      if (g === MAX_GROUPS || j + 1 >= n) break;
      const c = text.charCodeAt(j);
      if (c === 41 && g === 1 && paren) {
        // `(02) 123-4567`, `(415)555-2671`
        let k = j + 1;
        if (text.charCodeAt(k) === 32) k++;
        if (k < n && isDigit(text.charCodeAt(k))) {
          closeParen = true;
          if (g - 1 < MAX_GROUPS) sep[g - 1] = 41;
          j = k;
          continue;
        }
        break;
      }
      if ((c === 32 || c === 45 || c === 46) && isDigit(text.charCodeAt(j + 1))) {
        if (g - 1 < MAX_GROUPS) sep[g - 1] = c;
        j++;
        continue;
      }
      break;
    }
    const end = j;
    const next = end < n ? text.charCodeAt(end) : 0;
    const gluedRight = isAlpha(next) || next === 95;
    if (digits >= 8) this.numberCluster(text, out, g, plus, paren && closeParen, gluedLeft, gluedRight);
    return end + 1;
  }

  private numberCluster(text: string, out: Finding[], g: number, plus: boolean, paren: boolean, gluedLeft: boolean, gluedRight: boolean): void {
    const gs = this.gStart;
    const ge = this.gEnd;
    const sep = this.gSep;
    const last = g - 1;
    let a = 0;
    while (a < g) {
      // A window may only start at the cluster's start or after a space, and end at its end or before a space.
      if (a > 0 && sep[a - 1] !== 32) {
        a++;
        continue;
      }
      const leftOk = a > 0 || !gluedLeft;
      let matched = -1;
      if (this.card && leftOk && !(a === 0 && (plus || paren))) matched = this.cardAt(text, out, a, last, gluedRight);
      if (matched < 0 && this.krRrn && leftOk && a < last && sep[a] === 45 && ge[a]! - gs[a]! === 6 && ge[a + 1]! - gs[a + 1]! === 7 && (a + 1 === last ? !gluedRight : sep[a + 1] === 32) && !(a === 0 && (plus || paren))) {
        if (krRrnValid(text, gs[a]!, this.krRrnChecksum)) {
          this.push(out, gs[a]!, ge[a + 1]!, 'kr_rrn', PRIORITY_SHAPE);
          matched = a + 1;
        }
      }
      if (matched < 0 && this.phone && leftOk) matched = this.phoneAt(text, out, a, last, a === 0 && plus, a === 0 && paren, gluedRight);
      a = matched >= 0 ? matched + 1 : a + 1;
    }
  }

  /** Card numbers: 13–19 digits, plain or in card-like groups joined by one separator kind (space or dash), IIN 2–6, Luhn-valid. */
  private cardAt(text: string, out: Finding[], a: number, last: number, gluedRight: boolean): number {
    const gs = this.gStart;
    const ge = this.gEnd;
    const sep = this.gSep;
    const first = text.charCodeAt(gs[a]!);
    if (first < 50 || first > 54) return -1;
    // How far a window from `a` can reach: one separator kind, at most CARD_MAX digits.
    let digits = 0;
    let bMax = a;
    for (let b = a; b <= last; b++) {
      digits += ge[b]! - gs[b]!;
      if (digits > CARD_MAX) break;
      bMax = b;
      if (b === last || (sep[b] !== 32 && sep[b] !== 45) || (b > a && sep[b] !== sep[a])) break;
    }
    // Longest window first, ending at the cluster's end or before a space.
    digits = 0;
    for (let b = a; b <= bMax; b++) digits += ge[b]! - gs[b]!;
    for (let b = bMax; b >= a; b--) {
      if (digits >= CARD_MIN && (b === last ? !gluedRight : sep[b] === 32) && this.cardGrouping(a, b)) {
        const s = gs[a]!;
        const f = ge[b]!;
        if (!this.allSameDigit(text, s, f) && luhnValid(text, s, f)) {
          this.push(out, s, f, 'card', PRIORITY_SHAPE);
          return b;
        }
      }
      digits -= ge[b]! - gs[b]!;
    }
    return -1;
  }

  /**
   * Grouped card numbers are printed in groups of 4 (Amex and Diners 4-6-5 and 4-6-4): a first group of 4, the others
   * of 3 to 6. Unrelated small numbers joined by spaces (`channels 1 2 3 … 13`) are thereby no card.
   */
  private cardGrouping(a: number, b: number): boolean {
    if (a === b) return true;
    if (this.gEnd[a]! - this.gStart[a]! !== 4) return false;
    for (let x = a + 1; x <= b; x++) {
      const len = this.gEnd[x]! - this.gStart[x]!;
      if (len < 3 || len > 6) return false;
    }
    return true;
  }

  private allSameDigit(text: string, s: number, e: number): boolean {
    const d = text.charCodeAt(s);
    for (let i = s + 1; i < e; i++) {
      const c = text.charCodeAt(i);
      if (isDigit(c) && c !== d) return false;
    }
    return true;
  }

  /**
   * Phone numbers: E.164 with `+` (8–15 digits), `(area) NNN-NNNN`, North American `NXX-NXX-XXXX` (optionally with a
   * leading `1`), and national numbers with a trunk `0` (Korean `010-1234-5678`, `02-123-4567`, UK `020 7946 0958`),
   * groups joined by one kind of separator. A bare run of digits is never a phone number (order ids, counters).
   */
  private phoneAt(text: string, out: Finding[], a: number, last: number, plus: boolean, paren: boolean, gluedRight: boolean): number {
    const gs = this.gStart;
    const ge = this.gEnd;
    const sep = this.gSep;
    if (plus) {
      if (text.charCodeAt(gs[a]!) === 48) return -1;
      let digits = 0;
      let best = -1;
      for (let b = a; b <= last; b++) {
        digits += this.groupLen(b);
        if (digits > 15) break;
        if (digits >= 8 && this.windowEnds(last, gluedRight, b)) best = b;
      }
      if (best >= 0) {
        this.push(out, gs[a]! - 1, ge[best]!, 'phone', PRIORITY_SHAPE);
        return best;
      }
      return -1;
    }
    if (paren) {
      // sep[a] is `)`; then NNN(N)-NNNN
      if (a + 2 <= last && this.groupLen(a) >= 2 && this.groupLen(a) <= 4 && (this.groupLen(a + 1) === 3 || this.groupLen(a + 1) === 4) && this.groupLen(a + 2) === 4 && sep[a + 1] !== 32 && this.windowEnds(last, gluedRight, a + 2)) {
        this.push(out, gs[a]! - 1, ge[a + 2]!, 'phone', PRIORITY_SHAPE);
        return a + 2;
      }
      return -1;
    }
    const d0 = text.charCodeAt(gs[a]!);
    // NANP with a leading country code 1: 1-NXX-NXX-XXXX
    if (a + 3 <= last && this.groupLen(a) === 1 && d0 === 49 && this.groupLen(a + 1) === 3 && this.groupLen(a + 2) === 3 && this.groupLen(a + 3) === 4 && this.sameSeparator(a, a + 3) && this.windowEnds(last, gluedRight, a + 3)) {
      if (text.charCodeAt(gs[a + 1]!) >= 50 && text.charCodeAt(gs[a + 2]!) >= 50) {
        this.push(out, gs[a]!, ge[a + 3]!, 'phone', PRIORITY_SHAPE);
        return a + 3;
      }
    }
    if (a + 2 > last || !this.sameSeparator(a, a + 2) || !this.windowEnds(last, gluedRight, a + 2) || this.groupLen(a + 2) !== 4) return -1;
    const l0 = this.groupLen(a);
    const l1 = this.groupLen(a + 1);
    // trunk-prefixed national numbers: 0X(X)(X)-NNN(N)-NNNN
    if (d0 === 48 && l0 >= 2 && l0 <= 4 && (l1 === 3 || l1 === 4)) {
      this.push(out, gs[a]!, ge[a + 2]!, 'phone', PRIORITY_SHAPE);
      return a + 2;
    }
    // NANP NXX-NXX-XXXX
    if (l0 === 3 && l1 === 3 && d0 >= 50 && text.charCodeAt(gs[a + 1]!) >= 50) {
      this.push(out, gs[a]!, ge[a + 2]!, 'phone', PRIORITY_SHAPE);
      return a + 2;
    }
    return -1;
  }
  private groupLen(x: number): number {
    return this.gEnd[x]! - this.gStart[x]!;
  }

  /** A window may end at the cluster's end (unless a letter follows) or before a space. */
  private windowEnds(last: number, gluedRight: boolean, b: number): boolean {
    return b === last ? !gluedRight : this.gSep[b] === 32;
  }

  /** True if groups x..y are joined by one kind of separator. */
  private sameSeparator(x: number, y: number): boolean {
    const sep = this.gSep;
    for (let k = x + 1; k < y; k++) if (sep[k] !== sep[x]) return false;
    return true;
  }

}
