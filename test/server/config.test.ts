// Tests of the server config file: a full valid file, each key's validation with the file, line and key named,
// invalid YAML, and the exposure check that refuses a public bind without authentication.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_CONFIG, checkExposure, loadConfigFile, parseDurationMs, type ServerConfig } from '../../src/server/config.ts';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';

/** Writes `text` as sightline.yaml in a fresh temp dir; the dir is removed when the test ends. */
function configFile(t: { after: (fn: () => void) => void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sightline.yaml');
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a ConfigError');
}

const KNOWN = 'host, port, data_dir, memory_limit_mb, tls, auth, limits, retention, seal_rows, seal_age, forward, syslog, otlp, rules_dir, alerting_config, pipelines, siem';

test('a full valid config file', (t) => {
  const file = configFile(t, [
    '# Sightline server config',
    'host: 0.0.0.0',
    'port: 3200',
    'data_dir: /var/lib/sightline',
    'memory_limit_mb: 2048',
    'tls:',
    '  cert_file: /etc/sightline/tls.crt',
    '  key_file: /etc/sightline/tls.key',
    'auth:',
    '  tenants:',
    '    acme:',
    '      api_keys: [key-acme-1, key-acme-2]',
    '    globex:',
    '      api_keys:',
    '        - key-globex',
    'limits:',
    '  max_line_bytes: 65536',
    '  max_age: 3d',
    '  max_future: 5m',
    '  max_labels: 20',
    '  max_body_bytes: 10485760',
    'retention: 30d',
    'seal_rows: 500000',
    'seal_age: 90s',
    '',
  ].join('\n'));
  const cfg = loadConfigFile(file, { ...DEFAULT_CONFIG, forward: undefined, syslog: undefined });
  const expected: ServerConfig = {
    host: '0.0.0.0',
    port: 3200,
    dataDir: '/var/lib/sightline',
    memoryLimitMb: 2048,
    tls: { certFile: '/etc/sightline/tls.crt', keyFile: '/etc/sightline/tls.key' },
    tenantKeys: { acme: ['key-acme-1', 'key-acme-2'], globex: ['key-globex'] },
    limits: { ...DEFAULT_LIMITS, maxLineBytes: 65536, maxAgeMs: 3 * 86_400_000, maxFutureMs: 300_000, maxLabels: 20, maxBodyBytes: 10485760 },
    retentionMs: 30 * 86_400_000,
    sealRows: 500000,
    sealAgeMs: 90_000,
    forward: undefined,
    syslog: undefined,
    otlp: {},
  };
  assert.deepEqual(cfg, expected);
  assert.doesNotThrow(() => checkExposure(cfg));
});

test('keys left out keep the base values, and the base is not modified', (t) => {
  const before = structuredClone(DEFAULT_CONFIG);
  const file = configFile(t, 'port: 4000\nlimits:\n  max_labels: 30\nauth:\n  tenants:\n    acme:\n      api_keys: [k]\n');
  const cfg = loadConfigFile(file, DEFAULT_CONFIG);
  assert.deepEqual(cfg, { ...DEFAULT_CONFIG, port: 4000, limits: { ...DEFAULT_LIMITS, maxLabels: 30 }, tenantKeys: { acme: ['k'] } });
  assert.deepEqual(DEFAULT_CONFIG, before);
  assert.deepEqual(DEFAULT_LIMITS, before.limits);
});

test('an empty file or one with only comments yields the base config', (t) => {
  for (const text of ['', '\n\n', '# nothing here\n']) {
    assert.deepEqual(loadConfigFile(configFile(t, text), DEFAULT_CONFIG), DEFAULT_CONFIG);
  }
});

test('durations: retention 0 disables it; numbers are seconds', async (t) => {
  const cases: [string, Partial<ServerConfig>][] = [
    ['retention: 0', { retentionMs: 0 }],
    ['retention: "0"', { retentionMs: 0 }],
    ['retention: 12h', { retentionMs: 12 * 3_600_000 }],
    ['retention: 2w', { retentionMs: 2 * 604_800_000 }],
    ['retention: 1.5d', { retentionMs: 1.5 * 86_400_000 }],
    ['seal_age: 30', { sealAgeMs: 30_000 }],
    ['seal_age: 500ms', { sealAgeMs: 500 }],
    ['seal_age: 10m', { sealAgeMs: 600_000 }],
    ['seal_age: " 45s "', { sealAgeMs: 45_000 }],
  ];
  for (const [text, expected] of cases) {
    await t.test(text, (tt) => {
      const cfg = loadConfigFile(configFile(tt, text + '\n'), DEFAULT_CONFIG);
      assert.deepEqual(cfg, { ...DEFAULT_CONFIG, ...expected });
    });
  }
});

test('invalid values are reported with the file, line and key', async (t) => {
  // [name, file text, expected message after "<file>:"]
  const cases: [string, string, string][] = [
    ['unknown top-level key', 'host: 127.0.0.1\nbogus: 1\n', `2: bogus: unknown key (expected one of ${KNOWN})`],
    ['misspelt key', 'port: 3100\nretension: 7d\n', `2: retension: unknown key (expected one of ${KNOWN})`],
    ['port as a string', 'port: "3100x"\n', '1: port: expected a number ≥ 0, got "3100x"'],
    ['negative port', 'host: localhost\nport: -1\n', '2: port: expected a number ≥ 0, got -1'],
    ['port as a list', 'port: [1]\n', '1: port: expected a number ≥ 0, got [1]'],
    ['empty host', 'host: ""\n', '1: host: expected a non-empty string, got ""'],
    ['host as a number', 'host: 42\n', '1: host: expected a non-empty string, got 42'],
    ['null data_dir', 'port: 1\n\ndata_dir:\n', '3: data_dir: expected a non-empty string, got null'],
    ['memory below 128 MiB', 'memory_limit_mb: 64\n', '1: memory_limit_mb: expected a number ≥ 128, got 64'],
    ['seal_rows below 1000', 'seal_rows: 10\n', '1: seal_rows: expected a number ≥ 1000, got 10'],
    ['bad duration (words)', 'seal_age: 5 minutes\n', '1: seal_age: expected a duration like 30s, 5m, 12h or 7d, got "5 minutes"'],
    ['bad duration (unit)', 'host: h\nport: 1\nretention: 30days\n', '3: retention: expected a duration like 30s, 5m, 12h or 7d, got "30days"'],
    ['bad duration (negative)', 'seal_age: -5m\n', '1: seal_age: expected a duration like 30s, 5m, 12h or 7d, got "-5m"'],
    ['negative duration number', 'seal_age: -5\n', '1: seal_age: expected a number ≥ 0, got -5'],
    ['bad duration (boolean)', 'retention: true\n', '1: retention: expected a duration like 30s, 5m, 12h or 7d, got true'],
    ['tls not a mapping', 'tls: yes\n', '1: tls: expected a mapping'],
    ['tls without key_file', 'tls:\n  cert_file: a.crt\n', '1: tls.key_file: expected a non-empty string, got undefined'],
    ['tls with an empty cert_file', 'port: 1\ntls:\n  cert_file: ""\n  key_file: k\n', '2: tls.cert_file: expected a non-empty string, got ""'],
    ['auth not a mapping', 'auth: [a]\n', '1: auth: expected a mapping'],
    ['auth without tenants', 'auth:\n  users: {}\n', '1: auth.tenants: expected a mapping'],
    ['tenant not a mapping', 'auth:\n  tenants:\n    acme: key\n', '1: auth.tenants.acme: expected a mapping'],
    ['tenant without api_keys', 'auth:\n  tenants:\n    acme: {}\n', '1: auth.tenants.acme.api_keys: expected a non-empty list of keys'],
    ['empty api_keys', 'auth:\n  tenants:\n    acme:\n      api_keys: []\n', '1: auth.tenants.acme.api_keys: expected a non-empty list of keys'],
    ['api_keys as a string', 'auth:\n  tenants:\n    acme:\n      api_keys: secret\n', '1: auth.tenants.acme.api_keys: expected a non-empty list of keys'],
    ['numeric api key', 'auth:\n  tenants:\n    acme:\n      api_keys: [ok, 12345]\n', '1: auth.tenants.acme.api_keys[1]: expected a non-empty string, got 12345'],
    ['limits not a mapping', 'limits: 5\n', '1: limits: expected a mapping'],
    ['unknown limit', 'limits:\n  max_lines: 5\n', '1: limits.max_lines: unknown key (expected max_line_bytes, max_age, max_future, max_labels, max_body_bytes)'],
    ['max_line_bytes zero', 'limits:\n  max_line_bytes: 0\n', '1: limits.max_line_bytes: expected a number ≥ 1, got 0'],
    ['max_body_bytes too small', 'limits:\n  max_body_bytes: 100\n', '1: limits.max_body_bytes: expected a number ≥ 1024, got 100'],
    ['max_age bad duration', 'limits:\n  max_age: forever\n', '1: limits.max_age: expected a duration like 30s, 5m, 12h or 7d, got "forever"'],
    ['max_labels as a string', 'limits:\n  max_labels: "15"\n', '1: limits.max_labels: expected a number ≥ 1, got "15"'],
  ];
  for (const [name, text, expected] of cases) {
    await t.test(name, (tt) => {
      const file = configFile(tt, text);
      const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
      assert.equal(e.message, `${file}:${expected}`);
    });
  }
});

test('nested errors name the file, a line and the full key path', (t) => {
  const file = configFile(t, 'host: 127.0.0.1\nport: 3100\nlimits:\n  max_labels: 15\n  max_future: soon\n');
  const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
  // the line is that of the top-level key (3) or of the nested key (5)
  assert.match(e.message, /:(3|5): limits\.max_future: expected a duration like 30s, 5m, 12h or 7d, got "soon"$/);
  assert.ok(e.message.startsWith(file + ':'));
});

test('a key indented under another one is not taken for the top-level key of the same name', (t) => {
  // "tenants" appears nested first; the top-level error must still point at line 5, not line 2
  const file = configFile(t, 'auth:\n  tenants:\n    acme:\n      api_keys: [k]\ntenants: 3\n');
  const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
  assert.equal(e.message, `${file}:5: tenants: unknown key (expected one of ${KNOWN})`);
});

test('a key after several blank lines is reported on its own line', (t) => {
  const file = configFile(t, 'host: 127.0.0.1\n\n\nport: nope\n');
  const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
  assert.equal(e.message, `${file}:4: port: expected a number ≥ 0, got "nope"`);
});

test('an unknown key with regex metacharacters is still a ConfigError naming it', (t) => {
  const file = configFile(t, 'host: 127.0.0.1\n"retention(": 7d\n');
  const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
  assert.equal(e.message, `${file}:2: retention(: unknown key (expected one of ${KNOWN})`);
});

test('a port outside 0..65535 is refused', (t) => {
  for (const port of ['70000', '1.5']) {
    const file = configFile(t, `port: ${port}\n`);
    assert.throws(() => loadConfigFile(file, DEFAULT_CONFIG), ConfigError, port);
  }
});

test('invalid YAML is reported with the file and line', async (t) => {
  const cases: [string, string, string][] = [
    ['unclosed flow sequence', 'host: [unclosed\n', '2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:'],
    ['duplicate key', 'host: a\nport: 1\nport: 2\n', '3: invalid YAML: Map keys must be unique at line 3, column 1:'],
    ['unclosed quote', 'host: "x\n', '2: invalid YAML: Missing closing "quote at line 2, column 1:'],
    ['tab indentation', 'tls:\n\tcert_file: a\n', '2: invalid YAML: Tabs are not allowed as indentation at line 2, column 1:'],
    ['compact nested mapping', 'port: 1\nhost: a: b\n', '2: invalid YAML: Nested mappings are not allowed in compact mappings at line 2, column 7:'],
  ];
  for (const [name, text, expected] of cases) {
    await t.test(name, (tt) => {
      const file = configFile(tt, text);
      const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
      assert.equal(e.message, `${file}:${expected}`);
    });
  }
});

test('a document that is not a mapping is refused', async (t) => {
  for (const text of ['- host\n- port\n', 'just a string\n', '42\n']) {
    await t.test(JSON.stringify(text), (tt) => {
      const file = configFile(tt, text);
      const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
      assert.equal(e.message, `${file}: expected a mapping`);
    });
  }
});

test('a missing file is reported with its path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'absent.yaml');
  const e = configError(() => loadConfigFile(file, DEFAULT_CONFIG));
  assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read config file: ENOENT`));
});

test('parseDurationMs', async (t) => {
  const ok: [unknown, number][] = [['30s', 30_000], ['5m', 300_000], ['12h', 43_200_000], ['7d', 604_800_000], ['1w', 604_800_000], ['250ms', 250], ['0s', 0], ['0.5s', 500], [10, 10_000], [0, 0]];
  for (const [input, expected] of ok) {
    await t.test(`ok ${JSON.stringify(input)}`, () => assert.equal(parseDurationMs(input, 'x'), expected));
  }
  for (const input of ['', '30', '5 m', '1h30m', '1y', 'm', '-1s', null, {}, true]) {
    await t.test(`bad ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseDurationMs(input, 'cfg.yaml:3: seal_age'), { message: `cfg.yaml:3: seal_age: expected a duration like 30s, 5m, 12h or 7d, got ${JSON.stringify(input)}` });
    });
  }
});

test('checkExposure refuses a non-loopback bind without authentication and accepts it with auth', async (t) => {
  const withHost = (host: string, tenantKeys: Record<string, string[]> = {}): ServerConfig => ({ ...DEFAULT_CONFIG, host, tenantKeys, forward: undefined, syslog: undefined });
  for (const host of ['127.0.0.1', 'localhost', '::1']) {
    await t.test(`loopback ${host} without auth is fine`, () => assert.doesNotThrow(() => checkExposure(withHost(host))));
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'logs.example.com']) {
    await t.test(`${host} without auth is refused`, () => {
      assert.throws(() => checkExposure(withHost(host)), (e: unknown) =>
        e instanceof ConfigError &&
        e.message === `refusing to listen on ${host} without authentication: configure auth.tenants.<tenant>.api_keys in --config, or bind to 127.0.0.1`);
    });
    await t.test(`${host} with auth is accepted`, () => assert.doesNotThrow(() => checkExposure(withHost(host, { acme: ['secret'] }))));
  }
});

test('checkExposure on a config loaded from a file', (t) => {
  const open = loadConfigFile(configFile(t, 'host: 0.0.0.0\n'), DEFAULT_CONFIG);
  assert.throws(() => checkExposure(open), /refusing to listen on 0\.0\.0\.0 without authentication/);
  const auth = 'host: 0.0.0.0\nauth:\n  tenants:\n    default:\n      api_keys: [s3cret]\n';
  // reachable from other machines, the default forward and syslog listeners would bypass the keys
  assert.throws(() => checkExposure(loadConfigFile(configFile(t, auth), DEFAULT_CONFIG)), /forward: listening on 0\.0\.0\.0 needs forward\.shared_key/);
  const noForward = loadConfigFile(configFile(t, auth + 'forward:\n  port: 0\n'), DEFAULT_CONFIG);
  assert.throws(() => checkExposure(noForward), /syslog: listening on 0\.0\.0\.0, but syslog carries no credentials/);
  const secured = loadConfigFile(configFile(t, auth + 'forward:\n  shared_key: k\nsyslog:\n  allow_unauthenticated: true\n'), DEFAULT_CONFIG);
  assert.doesNotThrow(() => checkExposure(secured));
  const off = loadConfigFile(configFile(t, auth + 'forward: {port: 0}\nsyslog: {port: 0}\n'), DEFAULT_CONFIG);
  assert.equal(off.forward, undefined);
  assert.equal(off.syslog, undefined);
  assert.doesNotThrow(() => checkExposure(off));
});

test('listener keys: ports, TLS files, shared key, tenant; 0 disables', (t) => {
  const cfg = loadConfigFile(configFile(t, [
    'forward:',
    '  port: 24225',
    '  shared_key: hush',
    '  tenant: fluent',
    '  tls: {cert_file: /c.pem, key_file: /k.pem}',
    'syslog:',
    '  port: 0',
    '  tls_port: 6514',
    '  tls: {cert_file: /c.pem, key_file: /k.pem, client_ca_file: /ca.pem}',
    'otlp:',
    '  grpc_port: 4317',
    '  http_port: 0',
    '',
  ].join('\n')), DEFAULT_CONFIG);
  assert.deepEqual(cfg.forward, { port: 24225, sharedKey: 'hush', tenant: 'fluent', tls: { certFile: '/c.pem', keyFile: '/k.pem' } });
  assert.deepEqual(cfg.syslog, { port: undefined, tlsPort: 6514, tenant: 'default', tls: { certFile: '/c.pem', keyFile: '/k.pem', clientCaFile: '/ca.pem' } });
  assert.deepEqual(cfg.otlp, { grpcPort: 4317, httpPort: undefined });
  assert.throws(() => loadConfigFile(configFile(t, 'forward:\n  port: 70000\n'), DEFAULT_CONFIG), /forward\.port: expected an integer port 0-65535 \(0 disables\)/);
  assert.throws(() => loadConfigFile(configFile(t, 'syslog:\n  tls_prt: 1\n'), DEFAULT_CONFIG), /syslog\.tls_prt: unknown key/);
  assert.throws(() => checkExposure(loadConfigFile(configFile(t, 'syslog:\n  tls_port: 6514\n'), DEFAULT_CONFIG)), /syslog\.tls_port needs a certificate/);
});
