// The demo's security story: every `everyMs` a "play" on the bastion host — the guide's account takeover (≥5 failed
// SSH passwords, a success, sudo + usermod adding the user to a group, sometimes a mass download) plus near misses
// that must not fire. Lines are shaped as the syslog listener stores them; output is a pure function of (seed, time).

import { Prng } from './prng.ts';
import type { PushStream } from './estate.ts';
import { isoTime } from './time-format.ts';

export interface AttackOptions {
  seed: number;
  /** when play 0 starts (Unix ms); play i starts at firstMs + i·everyMs, i ≥ 0 */
  firstMs: number;
  /** time between plays (ms) */
  everyMs: number;
}

/** One play: who is taken over, and the near misses played beside it (users in disjoint pools, see below). */
export interface PlayedAttack {
  index: number;
  startMs: number;
  /** the account taken over (user_id of the alert the guide's rule must raise) */
  user: string;
  attackerIp: string;
  failures: number;
  /** times (ms) of the success, the privilege change and the mass download (undefined: none this time) */
  successMs: number;
  privilegeMs: number;
  downloadMs: number | undefined;
  /** near miss: 4 failures, then a success and a privilege change by the same user */
  fourFailures: string;
  /** near miss: ≥5 failures for `failedUser`, then a success and a privilege change by `otherUser` */
  failedUser: string;
  otherUser: string;
  /** near miss (every third play): the whole sequence, but the privilege change 31–38 minutes after the success */
  lateEscalation: string | undefined;
  lateEscalationMs: number | undefined;
}

/** No line of a play is later than this after its start (bounds the look-back of produce). */
export const PLAY_SPAN_MS = 45 * 60_000;

const BASTION = 'bastion-1';
const FILESERVER = 'files-1';

// Disjoint pools, walked in a seeded order so that one pool's users do not repeat within its length of plays: a
// repeat of a takeover user inside the rule's suppression window (1 h) would join the earlier incident, a repeat of a
// near-miss user inside the step windows would add up to a real sequence.
const TAKEOVER_USERS = ['jpark', 'mgarcia', 'svc-backup', 'dbadmin', 'tnguyen', 'lchen', 'kwilliams', 'rpatel', 'amueller', 'ehansen', 'jsilva', 'ykim', 'ops-jenkins', 'deploy-legacy', 'hsato', 'ofarouk', 'nkumar', 'bmoore'];
const FOUR_FAILURE_USERS = ['dlee', 'bsmith', 'cmartin', 'fdubois', 'gross', 'ikowalski', 'nlopez', 'pjohnson', 'sbrown', 'wtaylor', 'vjones', 'zwang', 'aclark', 'jmurphy'];
/** names scanners try; none of them ever logs in */
const GUESSED_USERS = ['admin', 'root', 'test', 'oracle', 'postgres', 'ubuntu', 'guest', 'user', 'ftp', 'git', 'support', 'pi'];
/** automation accounts: they log in with keys and change groups, never fail */
const OTHER_USERS = ['deploy', 'ansible', 'ci-runner', 'terraform', 'gitlab-runner', 'nagios'];
const LATE_USERS = ['mrossi', 'ajensen', 'kschulz', 'tkelly', 'lmoreau', 'pnowak', 'cflores', 'bwright', 'dsantos', 'gbianchi', 'hjohansson', 'iwalker', 'jnielsen', 'kcosta', 'lmeyer', 'mwagner', 'nhall', 'oking', 'pyoung', 'qallen', 'rscott', 'shill', 'tgreen', 'uadams', 'vbaker', 'wcarter'];
const GROUPS = ['sudo', 'sudo', 'sudo', 'wheel', 'adm', 'docker'];
const ATTACKER_IPS = ['185.220.101.47', '45.155.205.233', '193.142.146.22', '91.240.118.172', '222.186.30.112', '61.177.172.140', '103.99.0.122', '176.111.174.26'];
const OFFICE_IPS = ['10.20.0.15', '10.20.0.23', '10.20.1.7', '10.20.1.41', '10.20.2.9', '192.168.50.12'];
const EXPORTS = ['/exports/customers-full.csv', '/exports/orders-2026.parquet', '/backups/pg/shop-db.dump', '/exports/payment-cards.csv.gz', '/home/shared/finance/ledger.xlsx'];

interface Line {
  ms: number;
  seq: number;
  stream: string;
  line: string;
  procid: string;
}

/** Labels as the RFC 3164/5424 syslog listener stores them (service = TAG/APP-NAME, host, level, facility). */
const STREAMS: Record<string, Record<string, string>> = {
  sshd: { service: 'sshd', host: BASTION, level: 'info', facility: 'auth' },
  sshd_pam: { service: 'sshd', host: BASTION, level: 'info', facility: 'authpriv' },
  sudo: { service: 'sudo', host: BASTION, level: 'info', facility: 'authpriv' },
  usermod: { service: 'usermod', host: BASTION, level: 'info', facility: 'auth' },
  fileserver: { service: 'fileserver', host: FILESERVER, level: 'info', facility: 'daemon' },
};

function shuffled(items: readonly string[], seed: number, salt: number): string[] {
  const out = items.slice();
  const rng = new Prng(seed, salt);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** The attack plays of the demo. Holds only its pools; what it logs depends on the seed and the time asked for. */
export class AttackPlayer {
  readonly opts: AttackOptions;
  private readonly takeover: string[];
  private readonly four: string[];
  private readonly late: string[];
  private readonly uids = new Map<string, number>();

  constructor(opts: AttackOptions) {
    if (!(opts.everyMs >= 10_000)) throw new RangeError(`the attack interval must be at least 10s, got ${opts.everyMs} ms`);
    this.opts = opts;
    this.takeover = shuffled(TAKEOVER_USERS, opts.seed, 1);
    this.four = shuffled(FOUR_FAILURE_USERS, opts.seed, 2);
    this.late = shuffled(LATE_USERS, opts.seed, 3);
    const all = [...TAKEOVER_USERS, ...FOUR_FAILURE_USERS, ...OTHER_USERS, ...LATE_USERS, 'root'];
    for (let i = 0; i < all.length; i++) this.uids.set(all[i]!, all[i] === 'root' ? 0 : 1001 + i);
  }

  /** The plays that started in (fromMs, toMs]. */
  plays(fromMs: number, toMs: number): PlayedAttack[] {
    const out: PlayedAttack[] = [];
    const { firstMs, everyMs } = this.opts;
    const first = Math.max(0, Math.floor((fromMs - firstMs) / everyMs));
    for (let i = first; firstMs + i * everyMs <= toMs; i++) {
      if (firstMs + i * everyMs > fromMs) out.push(this.play(i, []));
    }
    return out;
  }

  /** Lines written in (fromMs, toMs], as Loki push streams (entries ascending). */
  produce(fromMs: number, toMs: number): PushStream[] {
    const { firstMs, everyMs } = this.opts;
    const lines: Line[] = [];
    const first = Math.max(0, Math.floor((fromMs - PLAY_SPAN_MS - firstMs) / everyMs));
    for (let i = first; firstMs + i * everyMs <= toMs; i++) this.play(i, lines);
    const byStream = new Map<string, PushStream>();
    lines.sort((a, b) => a.ms - b.ms || a.seq - b.seq);
    for (const l of lines) {
      if (l.ms <= fromMs || l.ms > toMs) continue;
      let ps = byStream.get(l.stream);
      if (ps === undefined) byStream.set(l.stream, (ps = { stream: { ...STREAMS[l.stream]! }, values: [] }));
      ps.values.push([`${Math.floor(l.ms)}000000`, l.line, { procid: l.procid }]);
    }
    return [...byStream.values()];
  }

  /** Plays attack i, appending its lines to `out`. */
  private play(i: number, out: Line[]): PlayedAttack {
    const rng = new Prng(this.opts.seed ^ 0x5ec0de, i);
    let seq = 0;
    const at = (ms: number, stream: string, line: string, procid: string) => out.push({ ms, seq: seq++, stream, line, procid });
    const pid = () => String(rng.between(2000, 65000));
    const port = () => rng.between(32768, 60999);
    const start = this.opts.firstMs + i * this.opts.everyMs;

    // the takeover: a scanner guesses names, then hammers one real account until the password falls
    const user = this.takeover[i % this.takeover.length]!;
    const ip = ATTACKER_IPS[rng.int(ATTACKER_IPS.length)]!;
    let t = start + rng.int(3000);
    for (let k = rng.between(1, 3); k > 0; k--) t = this.failure(at, rng, t, rng.pick(GUESSED_USERS), ip, pid(), port());
    const failures = rng.between(5, 9);
    for (let k = 0; k < failures; k++) t = this.failure(at, rng, t, user, ip, pid(), port());
    const successMs = t + rng.between(5_000, 40_000);
    const group = rng.pick(GROUPS);
    const privilegeMs = this.session(at, rng, successMs, user, ip, 'password', group, rng.between(20_000, 120_000));
    let downloadMs: number | undefined;
    if (rng.chance(0.5)) {
      downloadMs = privilegeMs + rng.between(30_000, 180_000);
      const bytes = rng.between(600, 9000) * 1_048_576 + rng.int(1_048_576);
      this.download(at, rng, downloadMs, user, ip, rng.pick(EXPORTS), bytes);
    }

    // near miss 1: an admin mistypes four times, then logs in and changes a group: one failure short
    const fourFailures = this.four[i % this.four.length]!;
    const office = rng.pick(OFFICE_IPS);
    t = start + rng.between(10_000, 60_000);
    for (let k = 0; k < 4; k++) t = this.failure(at, rng, t + rng.between(3_000, 20_000), fourFailures, office, pid(), port());
    this.session(at, rng, t + rng.between(5_000, 30_000), fourFailures, office, 'password', 'docker', rng.between(30_000, 90_000));

    // near miss 2: a scanner fails on a guessed name while an automation account logs in and changes a group
    const failedUser = rng.pick(GUESSED_USERS);
    const scanner = ATTACKER_IPS[(ATTACKER_IPS.indexOf(ip) + 1 + rng.int(ATTACKER_IPS.length - 1)) % ATTACKER_IPS.length]!;
    t = start + rng.between(20_000, 90_000);
    for (let k = rng.between(6, 12); k > 0; k--) t = this.failure(at, rng, t, failedUser, scanner, pid(), port());
    const otherUser = rng.pick(OTHER_USERS);
    this.session(at, rng, t + rng.between(5_000, 60_000), otherUser, rng.pick(OFFICE_IPS), 'publickey', 'adm', rng.between(10_000, 60_000));

    // near miss 3 (every third play): the sequence, but the privilege change comes after the 30-minute window
    let lateEscalation: string | undefined;
    let lateEscalationMs: number | undefined;
    if (i % 3 === 0) {
      lateEscalation = this.late[(i / 3) % this.late.length]!;
      const lip = rng.pick(OFFICE_IPS);
      t = start + rng.between(30_000, 120_000);
      for (let k = 0; k < 5; k++) t = this.failure(at, rng, t + rng.between(2_000, 15_000), lateEscalation, lip, pid(), port());
      lateEscalationMs = this.session(at, rng, t + rng.between(5_000, 60_000), lateEscalation, lip, 'password', 'sudo', rng.between(31 * 60_000, 38 * 60_000));
    }

    // an ordinary download now and then, far below the rule's 500MB
    const small = start + rng.between(0, this.opts.everyMs);
    this.download(at, rng, small, rng.pick(OTHER_USERS), rng.pick(OFFICE_IPS), rng.pick(EXPORTS), rng.between(40_000, 90_000_000));

    return { index: i, startMs: start, user, attackerIp: ip, failures, successMs, privilegeMs, downloadMs, fourFailures, failedUser, otherUser, lateEscalation, lateEscalationMs };
  }

  /** One failed password attempt as OpenSSH and PAM log it; returns the time of the next attempt. */
  private failure(at: (ms: number, s: string, l: string, p: string) => void, rng: Prng, t: number, user: string, ip: string, pid: string, port: number): number {
    const known = this.uids.has(user);
    if (!known) at(t, 'sshd', `Invalid user ${user} from ${ip} port ${port}`, pid);
    at(t + rng.between(100, 900), 'sshd_pam', `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${known ? `  user=${user}` : ''}`, pid);
    const failed = t + rng.between(1_500, 2_500);
    at(failed, 'sshd', `Failed password for ${known ? '' : 'invalid user '}${user} from ${ip} port ${port} ssh2`, pid);
    at(failed + rng.between(200, 800), 'sshd', `Connection closed by ${known ? 'authenticating' : 'invalid'} user ${user} ${ip} port ${port} [preauth]`, pid);
    return failed + rng.between(800, 4_000);
  }

  /** A login, then sudo running usermod to add the user to `group` after `delayMs`; returns the usermod time. */
  private session(at: (ms: number, s: string, l: string, p: string) => void, rng: Prng, t: number, user: string, ip: string, method: string, group: string, delayMs: number): number {
    const pid = String(rng.between(2000, 65000));
    const uid = this.uids.get(user) ?? 1000;
    const key = method === 'publickey' ? `: ED25519 SHA256:${rng.hex(16)}` : '';
    at(t, 'sshd', `Accepted ${method} for ${user} from ${ip} port ${rng.between(32768, 60999)} ssh2${key}`, pid);
    at(t + rng.between(5, 40), 'sshd_pam', `pam_unix(sshd:session): session opened for user ${user}(uid=${uid}) by (uid=0)`, pid);
    const u = t + delayMs;
    const sudoPid = String(rng.between(2000, 65000));
    at(u - rng.between(300, 900), 'sudo', `${user} : TTY=pts/${rng.int(4)} ; PWD=/home/${user} ; USER=root ; COMMAND=/usr/sbin/usermod -aG ${group} ${user}`, sudoPid);
    at(u - rng.between(100, 290), 'sudo', `pam_unix(sudo:session): session opened for user root(uid=0) by ${user}(uid=${uid})`, sudoPid);
    const usermodPid = String(rng.between(2000, 65000));
    at(u, 'usermod', `add '${user}' to group '${group}'`, usermodPid);
    at(u + 1, 'usermod', `add '${user}' to shadow group '${group}'`, usermodPid);
    at(u + rng.between(20, 80), 'sudo', 'pam_unix(sudo:session): session closed for user root', sudoPid);
    return u;
  }

  /** A file-server download in logfmt (the guide's `{service="fileserver"} | logfmt | action="download"`). */
  private download(at: (ms: number, s: string, l: string, p: string) => void, rng: Prng, t: number, user: string, ip: string, file: string, bytes: number): void {
    const durationMs = Math.max(40, Math.round(bytes / rng.between(40_000, 120_000)));
    at(t, 'fileserver', `ts=${isoTime(Math.floor(t))} level=info msg="file sent" action=download user_id=${user} client_ip=${ip} path=${file} bytes=${bytes} duration_ms=${durationMs}`, '812');
  }
}
