// The threat_intel processor: IP/CIDR, domain (with subdomains) and hash indicators from text and CSV lists,
// matched in fields and in the line, on the OpenSSH lines of the loghub Linux sample; bad list entries, reloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import type { Processor } from '../../../src/pipeline/processor.ts';
import { threatIntelProcessor } from '../../../src/pipeline/processors/threat-intel.ts';

const ctx = { nowMs: 0, warn: (): void => {} };

function ev(line: string, fields: Record<string, FieldValue> = {}): PipelineEvent {
  return { tenant: 't', ts: 0n, line, labels: {}, fields };
}

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function build(yaml: string, dir: string): Processor {
  return threatIntelProcessor.build(ConfigNode.parse(`type: threat_intel\n${yaml}`, 'test.yaml'), { configDir: dir });
}

const LISTS = {
  'ssh-scanners.txt': '# scanners seen in June 2005\n150.183.249.110\n218.188.2.0/24   # a whole network\n\n2001:db8:bad::/48\n',
  'domains.txt': 'netvigator.com\n*.pureserver.info\n',
  'hashes.csv': 'sha256,family\n"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",empty\n44d88612fea8a8f36de82e1278abb02f,eicar\n',
};
const LISTS_YAML =
  'lists:\n  - { name: ssh-scanners, file: ssh-scanners.txt }\n  - { name: bad-domains, file: domains.txt, type: domain }\n' +
  '  - { name: malware, file: hashes.csv, column: sha256 }\n';

function linuxSshEvents(): PipelineEvent[] {
  const text = readFileSync(join(import.meta.dirname, '../../../../shared/data/loghub/Linux/Linux_2k.log'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const m = /rhost=(\S+)/.exec(line);
      return ev(line, m ? { rhost: m[1]! } : {});
    });
}

test('fields: IPs, CIDR networks and domains with their subdomains, on the loghub Linux sample', () => {
  const p = build(`${LISTS_YAML}fields: [rhost]\n`, dirWith(LISTS));
  const events = p.process(linuxSshEvents(), ctx);
  const byIndicator: Record<string, number> = {};
  for (const e of events) {
    if (e.fields['threat.matched'] !== true) continue;
    const k = `${e.fields['threat.list']} ${e.fields['threat.type']} ${e.fields['threat.indicator']}`;
    byIndicator[k] = (byIndicator[k] ?? 0) + 1;
    assert.equal(e.fields['threat.field'], 'rhost');
    assert.equal(e.fields['threat.value'], e.fields.rhost);
  }
  // expected counts, independently: how often each rhost value occurs in the file
  const rhosts = events.map((e) => e.fields.rhost).filter((v): v is string => typeof v === 'string');
  const count = (f: (v: string) => boolean) => rhosts.filter(f).length;
  assert.deepEqual(byIndicator, {
    'ssh-scanners ip 150.183.249.110': count((v) => v === '150.183.249.110'),
    'ssh-scanners ip 218.188.2.0/24': count((v) => v.startsWith('218.188.2.')),
    'bad-domains domain netvigator.com': count((v) => v.endsWith('.netvigator.com')),
    'bad-domains domain pureserver.info': count((v) => v.endsWith('.pureserver.info')),
  });
  assert.equal(byIndicator['ssh-scanners ip 150.183.249.110'], 80);
  assert.equal(byIndicator['bad-domains domain netvigator.com'], 23);
});

test('line: indicators anywhere in the text, hashes included', () => {
  const p = build(`${LISTS_YAML}line: true\n`, dirWith(LISTS));
  const events = p.process(
    [
      ev('Failed password for root from 218.188.2.4 port 4413 ssh2'),
      ev('GET https://cdn.netvigator.com:8443/x.js 200'),
      ev('file uploaded sha256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855.'),
      ev('conn from [2001:db8:bad:1::5]:22 closed'),
      ev('clean 150.183.249.11 and notnetvigator.com and 2001:db8:bad0::1'),
    ],
    ctx,
  );
  const got = events.map((e) => (e.fields['threat.matched'] === true ? `${e.fields['threat.type']}:${e.fields['threat.indicator']}:${e.fields['threat.value']}:${e.fields['threat.list']}` : null));
  assert.deepEqual(got, [
    'ip:218.188.2.0/24:218.188.2.4:ssh-scanners',
    'domain:netvigator.com:cdn.netvigator.com:8443:bad-domains',
    'hash:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855:malware',
    'ip:2001:db8:bad::/48:2001:db8:bad:1::5:ssh-scanners',
    null,
  ]);
  assert.equal(events[0]!.fields['threat.field'], 'line');
});

test('field values: URLs by host, addresses with ports, forwarded lists, hashes; the first match wins', () => {
  const p = build(`${LISTS_YAML}fields: [client_ip, url, file_hash]\ntarget: ioc\n`, dirWith(LISTS));
  const events = p.process(
    [
      ev('', { url: 'http://user@a.b.netvigator.com/path?q=1' }),
      ev('', { client_ip: '150.183.249.110:51234' }),
      ev('', { client_ip: '218.188.2.200, 10.0.0.1' }),
      ev('', { file_hash: '44D88612FEA8A8F36DE82E1278ABB02F' }),
      ev('', { client_ip: '218.188.3.1', url: 'https://example.org/', file_hash: 'ab' }),
      ev('', { client_ip: '150.183.249.110', url: 'https://x.pureserver.info/' }),
    ],
    ctx,
  );
  assert.deepEqual(
    events.map((e) => (e.fields['ioc.matched'] === true ? `${e.fields['ioc.field']}=${e.fields['ioc.indicator']}` : null)),
    ['url=netvigator.com', 'client_ip=150.183.249.110', 'client_ip=218.188.2.0/24', 'file_hash=44d88612fea8a8f36de82e1278abb02f', null, 'client_ip=150.183.249.110'],
  );
});

test('the same indicator in two lists names both', () => {
  const dir = dirWith({ 'a.txt': '203.0.113.7\n', 'b.txt': '203.0.113.0/24\n203.0.113.7\n' });
  const p = build('lists:\n  - { file: a.txt }\n  - { file: b.txt }\nfields: [ip]\n', dir);
  const [e] = p.process([ev('', { ip: '203.0.113.7' })], ctx);
  assert.equal(e!.fields['threat.list'], 'a,b');
  assert.equal(e!.fields['threat.indicator'], '203.0.113.7');
});

test('bad list entries fail the build with file:line, or are skipped when asked', () => {
  const dir = dirWith({ 'bad.txt': '1.2.3.4\nftp:/evil.example/x\n999.1.1.1\nok.example\n', 'ips.txt': 'evil.example\n' });
  assert.throws(
    () => build('lists:\n  - { name: x, file: bad.txt }\nline: true\n', dir),
    /test\.yaml:3: lists\[0\]\.file: .*bad\.txt:2: not an IP address, CIDR network, domain, URL or MD5\/SHA-1\/SHA-256 hash: "ftp:\/evil\.example\/x" \(and 1 more bad entries; on_invalid: skip ignores them\)/,
  );
  const p = build('lists:\n  - { name: x, file: bad.txt, on_invalid: skip }\nline: true\n', dir);
  assert.equal(p.process([ev('from 1.2.3.4')], ctx)[0]!.fields['threat.matched'], true);
  assert.throws(() => build('lists:\n  - { file: ips.txt, type: ip }\nline: true\n', dir), /ips\.txt:1: not a valid ip indicator: "evil\.example"/);
  assert.throws(() => build('lists:\n  - { file: nope.txt }\nline: true\n', dir), /lists\[0\]\.file: cannot read .*nope\.txt: ENOENT/);
  assert.throws(() => build('lists:\n  - { file: ips.txt }\n', dir), /test\.yaml:1: expected fields to check/);
  assert.throws(() => build('lists:\n  - { name: a, file: ips.txt }\n  - { name: a, file: bad.txt }\nline: true\n', dir), /lists\[1\]\.name: duplicate list name "a"/);
});

test('lists are re-read when they change', () => {
  const dir = dirWith({ 'ips.txt': '198.51.100.1\n' });
  const p = build('lists:\n  - { file: ips.txt }\nfields: [ip]\nreload_interval: 1m\n', dir);
  const at = (nowMs: number, ip: string) => p.process([ev('', { ip })], { nowMs, warn: () => {} })[0]!.fields['threat.matched'] === true;
  assert.equal(at(0, '198.51.100.2'), false);
  writeFileSync(join(dir, 'ips.txt'), '198.51.100.2\n');
  utimesSync(join(dir, 'ips.txt'), new Date(), new Date(Date.now() + 5000));
  assert.equal(at(30_000, '198.51.100.2'), false);
  assert.equal(at(60_000, '198.51.100.2'), true);
  assert.equal(at(60_001, '198.51.100.1'), false);
});
