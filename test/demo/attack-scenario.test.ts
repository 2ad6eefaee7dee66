// The demo's attack plays as data: determinism and continuity across slices, the lines of one play (the guide's
// sequence, shaped like syslog-stored sshd/sudo/usermod lines), and the near misses kept apart from the takeovers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttackPlayer, type PlayedAttack } from '../../src/demo/attack-scenario.ts';
import type { PushStream } from '../../src/demo/estate.ts';
import { attackSchedule } from '../../src/cli/demo-command.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function flat(streams: PushStream[]): { labels: Record<string, string>; ms: number; line: string }[] {
  const out = [];
  for (const s of streams) for (const v of s.values) out.push({ labels: s.stream, ms: Number(BigInt(v[0]) / 1_000_000n), line: v[1] });
  return out.sort((a, b) => a.ms - b.ms);
}

test('output is a pure function of (seed, time): two slices equal one', () => {
  const a = new AttackPlayer({ seed: 7, firstMs: T0, everyMs: 120_000 });
  const b = new AttackPlayer({ seed: 7, firstMs: T0, everyMs: 120_000 });
  const whole = flat(a.produce(T0 - 1000, T0 + 3_600_000));
  const parts = [...flat(b.produce(T0 - 1000, T0 + 1_234_567)), ...flat(b.produce(T0 + 1_234_567, T0 + 3_600_000))];
  assert.ok(whole.length > 500, `${whole.length} lines`);
  assert.deepEqual(parts.map((x) => x.line).sort(), whole.map((x) => x.line).sort());
  assert.notDeepEqual(flat(new AttackPlayer({ seed: 8, firstMs: T0, everyMs: 120_000 }).produce(T0, T0 + 600_000)).map((x) => x.line), flat(a.produce(T0, T0 + 600_000)).map((x) => x.line));
  assert.equal(flat(a.produce(T0 - 600_000, T0)).length, 0, 'nothing before the first play');
});

test('one play: ≥5 failed passwords for the user from one address, a success, sudo usermod -aG, in order', () => {
  const p = new AttackPlayer({ seed: 11, firstMs: T0, everyMs: 300_000 });
  const [play] = p.plays(T0 - 1, T0);
  assert.ok(play);
  const lines = flat(p.produce(T0 - 1, T0 + 280_000));
  const sshd = lines.filter((l) => l.labels.service === 'sshd');
  assert.deepEqual(sshd[0]!.labels, { service: 'sshd', host: 'bastion-1', level: 'info', facility: sshd[0]!.labels.facility });
  const failed = sshd.filter((l) => l.line.startsWith(`Failed password for ${play.user} from ${play.attackerIp} port `));
  assert.equal(failed.length, play.failures);
  assert.ok(play.failures >= 5);
  for (const l of failed) assert.match(l.line, /^Failed password for \S+ from [\d.]+ port \d+ ssh2$/);
  const ok = sshd.filter((l) => l.line.startsWith(`Accepted password for ${play.user} from ${play.attackerIp} `));
  assert.equal(ok.length, 1);
  assert.equal(ok[0]!.ms, play.successMs);
  assert.ok(ok[0]!.ms > failed.at(-1)!.ms && ok[0]!.ms - failed.at(-1)!.ms <= 5 * 60_000);
  const sudo = lines.find((l) => l.labels.service === 'sudo' && l.line.startsWith(`${play.user} : TTY=`))!;
  assert.match(sudo.line, new RegExp(`USER=root ; COMMAND=/usr/sbin/usermod -aG \\S+ ${play.user}$`));
  const usermod = lines.filter((l) => l.labels.service === 'usermod' && l.line.startsWith(`add '${play.user}' to `));
  assert.equal(usermod.length, 2, 'group and shadow group, as shadow-utils logs them');
  assert.equal(usermod[0]!.ms, play.privilegeMs);
  assert.ok(play.privilegeMs - play.successMs <= 30 * 60_000 && sudo.ms < play.privilegeMs);
  // the PAM line of each failure carries the remote host, as pam_unix writes it
  assert.ok(lines.some((l) => l.labels.facility === 'authpriv' && l.line.includes(`rhost=${play.attackerIp}  user=${play.user}`)));
});

test('near misses use their own users: never taken over, never five failures in ten minutes before a near-miss login', () => {
  const p = new AttackPlayer({ seed: 3, firstMs: T0, everyMs: 60_000 });
  const plays: PlayedAttack[] = p.plays(T0 - 1, T0 + 120 * 60_000);
  assert.equal(plays.length, 121);
  const takeovers = new Set(plays.map((x) => x.user));
  const others = new Set(plays.flatMap((x) => [x.fourFailures, x.failedUser, x.otherUser, x.lateEscalation ?? '']));
  for (const u of takeovers) assert.ok(!others.has(u), u);
  // a takeover user comes back after 18 plays at the soonest: outside the rule's one-hour suppression window when
  // plays are 200 s or more apart (the default is 5 minutes)
  for (let i = 0; i < plays.length; i++) for (let j = i + 1; j < Math.min(plays.length, i + 18); j++) assert.notEqual(plays[i]!.user, plays[j]!.user);
  assert.equal(plays[18]!.user, plays[0]!.user);
  // count failures and successes per user over the lines: the near-miss users who log in never reach 5 failures in 10 minutes
  const lines = flat(p.produce(T0 - 1, T0 + 120 * 60_000));
  const fails = new Map<string, number[]>();
  for (const l of lines) {
    const m = /^Failed password for (?:invalid user )?(\S+) from/.exec(l.line);
    if (m) fails.set(m[1]!, [...(fails.get(m[1]!) ?? []), l.ms]);
  }
  for (const l of lines) {
    const m = /^Accepted \S+ for (\S+) from/.exec(l.line);
    if (!m || takeovers.has(m[1]!) || plays.some((x) => x.lateEscalation === m[1])) continue;
    // the guide's step 1 + 2: five failures within 10 minutes, the success within 5 minutes of a fifth-or-later one
    const f = (fails.get(m[1]!) ?? []).filter((t) => t <= l.ms);
    for (let k = 4; k < f.length; k++) assert.ok(!(f[k]! - f[k - 4]! <= 10 * 60_000 && l.ms - f[k]! <= 5 * 60_000), `${m[1]} logged in after five failures`);
  }
  const late = plays.filter((x) => x.lateEscalation !== undefined);
  assert.equal(late.length, 41);
  for (const x of late) assert.ok(x.lateEscalationMs! - x.startMs > 31 * 60_000);
  assert.ok(plays.some((x) => x.downloadMs !== undefined) && plays.some((x) => x.downloadMs === undefined));
});

test('the demo schedule: the first live play ~20 s after start, earlier ones inside the 15-minute backfill', () => {
  const s = attackSchedule(T0, 300_000);
  assert.equal(s.firstMs, T0 + 20_000 - 2 * 300_000);
  const inBackfill = new AttackPlayer({ seed: 1, ...s }).plays(T0 - 15 * 60_000, T0);
  assert.equal(inBackfill.length, 2);
  assert.equal(attackSchedule(T0, 3_600_000).firstMs, T0 + 20_000);
  assert.throws(() => new AttackPlayer({ seed: 1, firstMs: T0, everyMs: 5000 }), /at least 10s/);
});
