// A simulated microservice shop (namespace `shop`, 6 services, 17 pods) and the logs it writes, as Loki push streams.
// Output is a pure function of (seed, time): each simulated second is drawn from its own seeded sequence, so
// produce(a,b)+produce(b,c) equals produce(a,c). Requests carry a trace id across services, in call order.

import { Prng } from './prng.ts';
import { isoTime, nginxErrorTime, nginxTime, plainTime } from './time-format.ts';
import type { Catalog, Product, User } from './vocabulary.ts';
import {
  BRUTE_FORCE_NAMES, CARD_BRANDS, CATEGORIES, CURRENCIES, DECLINE_REASONS, PAYMENT_PROVIDERS, SCANNER_AGENTS, SCANNER_PATHS,
  SMTP_RELAYS, SORTS, WAREHOUSES, buildCatalog,
} from './vocabulary.ts';

/** One Loki push entry: [unix ns as a string, line, structured metadata?]. */
export interface PushValue extends Array<unknown> {
  0: string;
  1: string;
  2?: Record<string, string>;
}

/** One stream of a Loki push body (JSON flavour). */
export interface PushStream {
  stream: Record<string, string>;
  values: ([string, string] | [string, string, Record<string, string>])[];
}

/** One generated line before grouping into streams. `traceId`/`spanId`/`userId` are '' when absent. */
export interface EstateRecord {
  /** microseconds since the Unix epoch (integer) */
  tsUs: number;
  /** tie-breaker: order of generation within the simulated second */
  seq: number;
  /** index into Estate.streams */
  stream: number;
  line: string;
  traceId: string;
  spanId: string;
  userId: string;
}

export interface EstateOptions {
  seed?: number;
  /** average log lines per second over the whole estate (default 50) */
  linesPerSecond?: number;
}

export const NAMESPACE = 'shop';
export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const SERVICES = [
  { name: 'api-gateway', replicas: 3 },
  { name: 'auth', replicas: 2 },
  { name: 'order', replicas: 5 },
  { name: 'payment', replicas: 3 },
  { name: 'inventory', replicas: 2 },
  { name: 'notify', replicas: 2 },
] as const;

const GATEWAY = 0;
const AUTH = 1;
const ORDER = 2;
const PAYMENT = 3;
const INVENTORY = 4;
const NOTIFY = 5;

const DEBUG = 0;
const INFO = 1;
const WARN = 2;
const ERROR = 3;

/** No line of a request is written later than this after the request started (bounds the look-back of produce). */
const MAX_SPAN_MS = 15_000;
const PROVIDER_TIMEOUT_MS = 5_000;
const BURST_EPOCH_S = 240;
const ATTACK_EPOCH_S = 600;

export interface Pod {
  name: string;
  service: number;
  ip: string;
}

// pod-template-hash and pod suffix alphabet used by Kubernetes (no vowels, no confusable digits)
const K8S_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function k8sName(rng: Prng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += K8S_ALPHABET[rng.int(K8S_ALPHABET.length)];
  return out;
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

function secs(us: number): string {
  return (us / 1e6).toFixed(3);
}

function maskEmail(email: string): string {
  const at = email.indexOf('@');
  return email[0] + '***' + email[at - 1] + email.slice(at);
}

const UPPER = ['DEBUG', 'INFO ', 'WARN ', 'ERROR'];

/** Source locations the inventory service logs from, as go-kit's `caller` shows them. */
const LOGFMT_CALLERS: Record<string, string> = {
  'insufficient stock': 'stock/reserve.go:142',
  'stock reserved': 'stock/reserve.go:167',
  'low stock after reservation': 'stock/reserve.go:181',
  'product not found': 'catalog/handler.go:77',
  'cache hit': 'cache/lru.go:58',
  'stock lookup': 'stock/lookup.go:39',
  'slow query': 'catalog/query.go:211',
  'product query': 'catalog/query.go:196',
  'warehouse sync completed': 'sync/warehouse.go:303',
  'cache refresh': 'cache/refresh.go:44',
};

/** The shop. Holds only caches between calls; what it logs depends on the seed and the time asked for. */
export class Estate {
  readonly seed: number;
  readonly linesPerSecond: number;
  readonly catalog: Catalog;
  readonly pods: Pod[];
  /** stream index → labels; index = pod·4 + level */
  readonly streams: Record<string, string>[];
  private readonly podsOf: number[][];
  /** deployed version of each service */
  private readonly versions: string[];
  /** simulated requests per second, calibrated so lines per second come out as asked */
  private rps: number;

  // per-tick scratch state
  private out: EstateRecord[] = [];
  private seq = 0;
  private tickEndUs = 0;
  private degraded = false;
  private attackIp = '';
  private burstEpoch = NaN;
  private burstStart = -1;
  private burstEnd = -1;
  private attackEpoch = NaN;
  private attackStart = -1;
  private attackEnd = -1;
  private attackFrom = '';

  // continuity between produce() calls
  private nextTick = NaN;
  private lastToMs = NaN;
  private pending: EstateRecord[] = [];

  constructor(opts: EstateOptions = {}) {
    this.seed = (opts.seed ?? 1) >>> 0;
    this.linesPerSecond = opts.linesPerSecond ?? 50;
    if (!(this.linesPerSecond > 0) || !Number.isFinite(this.linesPerSecond)) throw new RangeError(`linesPerSecond must be a positive number, got ${opts.linesPerSecond}`);
    this.catalog = buildCatalog(this.seed);
    const rng = new Prng(this.seed, 0x90d5);
    this.pods = [];
    this.podsOf = [];
    this.streams = [];
    this.versions = [];
    for (let s = 0; s < SERVICES.length; s++) {
      const svc = SERVICES[s];
      const hash = k8sName(rng, rng.between(9, 10));
      this.podsOf.push([]);
      this.versions.push(`${rng.between(1, 3)}.${rng.between(0, 24)}.${rng.between(0, 9)}`);
      for (let r = 0; r < svc.replicas; r++) {
        const pod: Pod = { name: `${svc.name}-${hash}-${k8sName(rng, 5)}`, service: s, ip: `10.244.${rng.between(1, 6)}.${rng.between(2, 250)}` };
        this.podsOf[s].push(this.pods.length);
        this.pods.push(pod);
        for (const level of LEVELS) this.streams.push({ service: svc.name, namespace: NAMESPACE, pod: pod.name, level });
      }
    }
    this.rps = 1;
    this.rps = this.linesPerSecond / this.calibrate();
  }

  /** Logs written in (fromMs, toMs], grouped into Loki push streams (in stream order, entries ascending). */
  produce(fromMs: number, toMs: number): PushStream[] {
    const recs = this.records(fromMs, toMs);
    const byStream: (PushStream | undefined)[] = new Array(this.streams.length);
    for (const r of recs) {
      let ps = byStream[r.stream];
      if (ps === undefined) {
        ps = { stream: { ...this.streams[r.stream] }, values: [] };
        byStream[r.stream] = ps;
      }
      const ts = `${r.tsUs}000`;
      if (r.traceId !== '' || r.userId !== '') {
        const meta: Record<string, string> = {};
        if (r.traceId !== '') {
          meta.trace_id = r.traceId;
          meta.span_id = r.spanId;
        }
        if (r.userId !== '') meta.user_id = r.userId;
        ps.values.push([ts, r.line, meta]);
      } else {
        ps.values.push([ts, r.line]);
      }
    }
    const out: PushStream[] = [];
    for (const ps of byStream) if (ps !== undefined) out.push(ps);
    return out;
  }

  /** Lines written in (fromMs, toMs], ascending by time (ties in generation order). The lower-level form of produce. */
  records(fromMs: number, toMs: number): EstateRecord[] {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new RangeError('fromMs and toMs must be finite numbers');
    if (toMs <= fromMs) return [];
    const fromUs = Math.floor(fromMs) * 1000;
    const toUs = Math.floor(toMs) * 1000;
    if (fromMs !== this.lastToMs) {
      // not a continuation: start afresh far enough back to catch requests still writing at fromMs
      this.pending = [];
      this.nextTick = Math.floor((fromMs - MAX_SPAN_MS) / 1000);
    }
    const out: EstateRecord[] = [];
    const keep: EstateRecord[] = [];
    for (const r of this.pending) {
      if (r.tsUs > toUs) keep.push(r);
      else if (r.tsUs > fromUs) out.push(r);
    }
    const lastTick = Math.floor(toMs / 1000);
    const scratch: EstateRecord[] = [];
    for (let k = this.nextTick; k <= lastTick; k++) {
      scratch.length = 0;
      this.simulateTick(k, scratch);
      for (const r of scratch) {
        if (r.tsUs > toUs) keep.push(r);
        else if (r.tsUs > fromUs) out.push(r);
      }
    }
    this.nextTick = lastTick + 1;
    this.pending = keep;
    this.lastToMs = toMs;
    out.sort((a, b) => a.tsUs - b.tsUs || a.seq - b.seq);
    return out;
  }

  /** Lines per simulated request, measured on an hour of the estate's own life at a low rate. */
  private calibrate(): number {
    this.rps = 5;
    const scratch: EstateRecord[] = [];
    let lines = 0;
    const ticks = 3600;
    for (let k = 0; k < ticks; k++) {
      scratch.length = 0;
      this.simulateTick(k, scratch);
      lines += scratch.length;
    }
    return lines / (this.rps * ticks);
  }

  // ---- one simulated second -------------------------------------------------------------------------------------

  private simulateTick(k: number, out: EstateRecord[]): void {
    const rng = new Prng(this.seed, k);
    this.out = out;
    this.seq = k * 1e6;
    const startUs = k * 1e6;
    this.tickEndUs = startUs + MAX_SPAN_MS * 1000;
    this.updateIncidents(k);
    const requests = Math.floor((k + 1) * this.rps) - Math.floor(k * this.rps);

    if (k === this.burstStart) {
      const pod = this.podsOf[PAYMENT][0];
      this.app(pod, WARN, startUs + rng.int(1e6), 'circuit breaker opened for provider acmepay', '', '', '', `,"provider":"acmepay","failure_rate":${(0.5 + rng.next() * 0.4).toFixed(2)},"window_s":30`);
    }
    if (k === this.burstEnd) {
      const pod = this.podsOf[PAYMENT][0];
      this.app(pod, INFO, startUs + rng.int(1e6), 'circuit breaker closed for provider acmepay', '', '', '', `,"provider":"acmepay","open_for_s":${this.burstEnd - this.burstStart}`);
    }

    for (let i = 0; i < requests; i++) {
      const t0 = startUs + rng.int(1_000_000);
      const x = rng.next();
      if (x < 0.05) this.checkout(rng, t0);
      else if (x < 0.27) this.productView(rng, t0);
      else if (x < 0.41) this.productQuery(rng, t0);
      else if (x < 0.48) this.orderView(rng, t0);
      else if (x < 0.58) this.cart(rng, t0);
      else if (x < 0.63) this.login(rng, t0, '');
      else if (x < 0.78) this.staticAsset(rng, t0);
      else if (x < 0.89) this.probe(rng, t0);
      else if (x < 0.9) this.scanner(rng, t0);
      else this.background(rng, t0);
    }
    if (this.attackIp !== '') {
      // a credential-stuffing run adds attempts in proportion to the traffic, so calibration holds at any rate
      const expected = this.rps * 0.3;
      const n = Math.floor(expected) + (rng.chance(expected - Math.floor(expected)) ? 1 : 0);
      for (let i = 0; i < n; i++) this.login(rng, startUs + rng.int(1_000_000), this.attackIp);
    }
  }

  /** Payment-provider outages (20–60 s, most 4-minute epochs) and credential-stuffing runs (15–45 s, half of 10-minute epochs). */
  private updateIncidents(k: number): void {
    const be = Math.floor(k / BURST_EPOCH_S);
    if (be !== this.burstEpoch) {
      const r = new Prng(this.seed ^ 0x0b0a57, be);
      this.burstEpoch = be;
      if (r.chance(0.7)) {
        this.burstStart = be * BURST_EPOCH_S + r.int(BURST_EPOCH_S - 60);
        this.burstEnd = this.burstStart + r.between(20, 60);
      } else {
        this.burstStart = this.burstEnd = -1;
      }
    }
    this.degraded = k >= this.burstStart && k < this.burstEnd;
    const ae = Math.floor(k / ATTACK_EPOCH_S);
    if (ae !== this.attackEpoch) {
      const r = new Prng(this.seed ^ 0xa77ac4, ae);
      this.attackEpoch = ae;
      if (r.chance(0.5)) {
        this.attackStart = ae * ATTACK_EPOCH_S + r.int(ATTACK_EPOCH_S - 45);
        this.attackEnd = this.attackStart + r.between(15, 45);
        this.attackFrom = this.catalog.attackerIps[r.int(this.catalog.attackerIps.length)];
      } else {
        this.attackStart = this.attackEnd = -1;
      }
    }
    this.attackIp = k >= this.attackStart && k < this.attackEnd ? this.attackFrom : '';
  }

  private emit(pod: number, level: number, tsUs: number, line: string, traceId: string, spanId: string, userId: string): void {
    const ts = tsUs > this.tickEndUs ? this.tickEndUs : Math.floor(tsUs);
    this.out.push({ tsUs: ts, seq: this.seq++, stream: pod * 4 + level, line, traceId, spanId, userId });
  }

  private pod(rng: Prng, service: number): number {
    const pods = this.podsOf[service];
    return pods[rng.int(pods.length)];
  }

  private user(rng: Prng): User {
    return this.catalog.users[rng.skewed(this.catalog.users.length, 2.5)];
  }

  private product(rng: Prng): Product {
    return this.catalog.products[rng.skewed(this.catalog.products.length, 2)];
  }

  private clientIp(rng: Prng, user: User | undefined): string {
    if (user !== undefined && rng.chance(0.85)) return this.catalog.clientIps[user.ip];
    return this.catalog.clientIps[rng.skewed(this.catalog.clientIps.length, 1.6)];
  }

  private agent(rng: Prng, user: User | undefined): string {
    if (user !== undefined && rng.chance(0.9)) return this.catalog.userAgents[user.agent];
    return this.catalog.userAgents[rng.skewed(this.catalog.userAgents.length, 1.5)];
  }

  // ---- line formats -----------------------------------------------------------------------------------------------

  /** Writes a JSON application log line (auth, order, payment; pino-like). `extra` is pre-rendered `,"k":v` pairs. */
  private app(pod: number, level: number, tsUs: number, msg: string, traceId: string, spanId: string, userId: string, extra: string): void {
    const p = this.pods[pod];
    let line = `{"ts":"${isoTime(Math.floor(tsUs / 1000))}","level":"${LEVELS[level]}","service":"${SERVICES[p.service].name}","version":"${this.versions[p.service]}","hostname":"${p.name}","pid":1,"msg":${JSON.stringify(msg)}`;
    if (traceId !== '') line += `,"trace_id":"${traceId}","span_id":"${spanId}"`;
    if (userId !== '') line += `,"user_id":"${userId}"`;
    this.emit(pod, level, tsUs, line + extra + '}', traceId, spanId, userId);
  }

  /** Writes a logfmt line (inventory, a Go service using go-kit/log). `fields` is pre-rendered `k=v k=v`. */
  private kv(pod: number, level: number, tsUs: number, msg: string, fields: string, traceId: string, spanId: string): void {
    let line = `ts=${isoTime(Math.floor(tsUs / 1000))} caller=${LOGFMT_CALLERS[msg] ?? 'stock/service.go:61'} level=${LEVELS[level]} msg="${msg}" ${fields}`;
    if (traceId !== '') line += ` trace_id=${traceId} span_id=${spanId}`;
    this.emit(pod, level, tsUs, line, traceId, spanId, '');
  }

  /** Plain-text line (notify, a Python worker with the stdlib logging format). */
  private plain(tsUs: number, level: number, thread: string, text: string): string {
    return `${plainTime(Math.floor(tsUs / 1000))} ${UPPER[level]} [${thread}] ${text}`;
  }

  /** nginx access line: combined format + request/upstream times + trace id (OpenTelemetry module). */
  private access(
    rng: Prng, tEndUs: number, pod: number, ip: string, method: string, path: string, status: number, bytes: number,
    referer: string, agent: string, durUs: number, upstreamUs: number, traceId: string, spanId: string, userId: string,
  ): void {
    const proto = rng.chance(0.7) ? 'HTTP/2.0' : 'HTTP/1.1';
    const urt = upstreamUs < 0 ? '-' : secs(upstreamUs);
    const line = `${ip} - - [${nginxTime(Math.floor(tEndUs / 1000))}] "${method} ${path} ${proto}" ${status} ${bytes} "${referer}" "${agent}" rt=${secs(durUs)} urt=${urt} trace_id=${traceId === '' ? '-' : traceId}`;
    const level = status >= 500 ? ERROR : status >= 400 ? WARN : INFO;
    this.emit(pod, level, tEndUs, line, traceId, spanId, userId);
  }

  private referer(rng: Prng): string {
    const x = rng.next();
    if (x < 0.3) return '-';
    if (x < 0.45) return 'https://shop.example.com/';
    if (x < 0.55) return 'https://www.google.com/';
    if (x < 0.8) return `https://shop.example.com/c/${rng.pick(CATEGORIES)}`;
    return `https://shop.example.com/p/${this.product(rng).slug}`;
  }

  private authVerify(rng: Prng, t: number, traceId: string, spanId: string, user: User, ip: string): void {
    const pod = this.pod(rng, AUTH);
    this.app(pod, DEBUG, t, 'access token verified', traceId, spanId, user.id, `,"client_ip":"${ip}","token_age_s":${rng.int(3600)},"scopes":"orders cart profile"`);
  }

  // ---- scenarios -----------------------------------------------------------------------------------------------

  /** gateway → auth → order → inventory → payment → order → notify: the long trace. */
  private checkout(rng: Prng, t0: number): void {
    const user = this.user(rng);
    const ip = this.clientIp(rng, user);
    const agent = this.agent(rng, user);
    const trace = rng.hex(16);
    const gwSpan = rng.hex(8);
    const orderSpan = rng.hex(8);
    const invSpan = rng.hex(8);
    const paySpan = rng.hex(8);
    const gw = this.pod(rng, GATEWAY);
    const orderPod = this.pod(rng, ORDER);
    const path = '/api/v1/orders';
    let t = t0 + rng.between(200, 1500);
    this.authVerify(rng, t, trace, rng.hex(8), user, ip);

    t += rng.between(800, 3000);
    const orderId = `ord_${rng.alnum(14)}`;
    const currency = rng.pick(CURRENCIES);
    const nItems = rng.chance(0.6) ? 1 : rng.between(2, 4);
    let amount = 0;
    const items: Product[] = [];
    for (let i = 0; i < nItems; i++) {
      const p = this.product(rng);
      items.push(p);
      amount += p.price;
    }
    this.app(orderPod, INFO, t, 'creating order', trace, orderSpan, user.id, `,"order_id":"${orderId}","items":${nItems},"amount":${money(amount)},"currency":"${currency}"`);

    const invPod = this.pod(rng, INVENTORY);
    for (let i = 0; i < nItems; i++) {
      t += rng.between(300, 2500);
      const p = items[i];
      const wh = rng.pick(WAREHOUSES);
      if (i === 0 && rng.chance(0.008)) {
        this.kv(invPod, WARN, t, 'insufficient stock', `sku=${p.sku} requested=${rng.between(1, 3)} available=0 warehouse=${wh}`, trace, invSpan);
        t += rng.between(300, 1500);
        this.app(orderPod, WARN, t, 'order rejected: item out of stock', trace, orderSpan, user.id, `,"order_id":"${orderId}","sku":"${p.sku}"`);
        t += rng.between(200, 900);
        this.access(rng, t, gw, ip, 'POST', path, 409, rng.between(90, 140), 'https://shop.example.com/checkout', agent, t - t0, t - t0 - 150, trace, gwSpan, user.id);
        return;
      }
      const remaining = rng.skewed(400, 2);
      this.kv(invPod, INFO, t, 'stock reserved', `sku=${p.sku} qty=${rng.chance(0.85) ? 1 : rng.between(2, 5)} warehouse=${wh} remaining=${remaining} duration_ms=${rng.between(1, 12)}`, trace, invSpan);
      if (remaining < 5) {
        this.kv(invPod, WARN, t + 40, 'low stock after reservation', `sku=${p.sku} remaining=${remaining} threshold=5 warehouse=${wh}`, trace, invSpan);
      }
    }

    const payPod = this.pod(rng, PAYMENT);
    const provider = rng.pick(PAYMENT_PROVIDERS);
    t += rng.between(500, 3000);
    this.app(payPod, INFO, t, 'charge requested', trace, paySpan, user.id, `,"order_id":"${orderId}","amount":${money(amount)},"currency":"${currency}","provider":"${provider}","card_brand":"${rng.pick(CARD_BRANDS)}","card_last4":"${rng.between(1000, 9999)}"`);

    if (this.degraded && provider === 'acmepay' && rng.chance(0.8)) {
      this.paymentTimeout(rng, t, t0, trace, paySpan, payPod, orderPod, orderSpan, orderId, user, gw, gwSpan, ip, agent);
      return;
    }
    if (rng.chance(0.03)) {
      t += Math.round(rng.logNormal(280_000, 0.4));
      const code = rng.pick(DECLINE_REASONS);
      this.app(payPod, WARN, t, 'card declined', trace, paySpan, user.id, `,"order_id":"${orderId}","provider":"${provider}","decline_code":"${code}"`);
      t += rng.between(500, 2000);
      this.app(orderPod, WARN, t, 'payment declined', trace, orderSpan, user.id, `,"order_id":"${orderId}","decline_code":"${code}"`);
      t += rng.between(200, 900);
      this.access(rng, t, gw, ip, 'POST', path, 402, rng.between(110, 160), 'https://shop.example.com/checkout', agent, t - t0, t - t0 - 180, trace, gwSpan, user.id);
      return;
    }
    const latency = Math.min(8_000_000, Math.round(rng.logNormal(340_000, 0.5)));
    t += latency;
    this.app(payPod, INFO, t, 'charge captured', trace, paySpan, user.id, `,"order_id":"${orderId}","charge_id":"ch_${rng.alnum(24)}","amount":${money(amount)},"currency":"${currency}","provider":"${provider}","duration_ms":${Math.round(latency / 1000)}`);
    if (latency > 1_500_000) {
      this.app(payPod, WARN, t + 100, 'provider latency above SLO', trace, paySpan, user.id, `,"provider":"${provider}","duration_ms":${Math.round(latency / 1000)},"slo_ms":1500`);
    }
    t += rng.between(500, 3000);
    this.app(orderPod, INFO, t, 'order confirmed', trace, orderSpan, user.id, `,"order_id":"${orderId}","status":"confirmed","total":${money(amount)},"currency":"${currency}"`);
    const tEnd = t + rng.between(200, 800);
    this.access(rng, tEnd, gw, ip, 'POST', path, 201, rng.between(380, 900), 'https://shop.example.com/checkout', agent, tEnd - t0, tEnd - t0 - 200, trace, gwSpan, user.id);

    // the confirmation mail goes out asynchronously, after the gateway answered
    const notifyPod = this.pod(rng, NOTIFY);
    const worker = `mailer-${rng.between(1, 4)}`;
    const mail = maskEmail(user.email);
    let tn = t + rng.between(2000, 20_000);
    this.emit(notifyPod, INFO, tn, this.plain(tn, INFO, worker, `Queued order_confirmation for ${orderId} to ${mail} (trace=${trace})`), trace, rng.hex(8), user.id);
    const relay = rng.pick(SMTP_RELAYS);
    if (rng.chance(0.02)) {
      tn += rng.between(50_000, 400_000);
      this.emit(notifyPod, WARN, tn, this.plain(tn, WARN, worker, `SMTP 421 4.7.0 Try again later from ${relay}; retrying in 2s (attempt 1/5) trace=${trace}`), trace, rng.hex(8), user.id);
      tn += 2_000_000;
    }
    const sendMs = Math.min(2500, Math.round(rng.logNormal(180, 0.5)));
    tn += sendMs * 1000;
    this.emit(notifyPod, INFO, tn, this.plain(tn, INFO, worker, `Sent order_confirmation email to ${mail} via ${relay} in ${sendMs}ms order=${orderId} trace=${trace}`), trace, rng.hex(8), user.id);
  }

  /** The provider does not answer: two 5 s attempts, a failed order, a 504 at the gateway. */
  private paymentTimeout(
    rng: Prng, t: number, t0: number, trace: string, paySpan: string, payPod: number, orderPod: number, orderSpan: string,
    orderId: string, user: User, gw: number, gwSpan: string, ip: string, agent: string,
  ): void {
    const endpoint = 'https://api.acmepay.example/v2/charges';
    t += PROVIDER_TIMEOUT_MS * 1000 + rng.between(0, 3000);
    this.app(payPod, WARN, t, 'provider request timed out, retrying', trace, paySpan, user.id, `,"provider":"acmepay","attempt":1,"timeout_ms":${PROVIDER_TIMEOUT_MS},"endpoint":"${endpoint}"`);
    t += PROVIDER_TIMEOUT_MS * 1000 + rng.between(100_000, 250_000);
    // nginx gives up first (proxy_read_timeout 10s) and writes its error log line
    const tGw = t0 + 10_000_000 + rng.between(0, 2000);
    this.emit(gw, ERROR, tGw, `${nginxErrorTime(Math.floor(tGw / 1000))} [error] ${rng.between(20, 40)}#${rng.between(20, 40)}: *${rng.between(10000, 999999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: ${ip}, server: shop.example.com, request: "POST /api/v1/orders HTTP/1.1", upstream: "http://${this.pods[orderPod].ip}:8080/api/v1/orders", host: "shop.example.com"`, trace, gwSpan, user.id);
    this.access(rng, tGw + 300, gw, ip, 'POST', '/api/v1/orders', 504, 167, 'https://shop.example.com/checkout', agent, tGw + 300 - t0, 10_000_000, trace, gwSpan, user.id);
    const stackLine = rng.chance(0.4);
    const stack = stackLine
      ? `,"error":"ProviderTimeoutError","stack":${JSON.stringify(`ProviderTimeoutError: POST ${endpoint} timed out after ${PROVIDER_TIMEOUT_MS}ms\n    at ChargeClient.request (/app/dist/providers/acmepay/client.js:214:15)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async ChargeClient.withRetry (/app/dist/providers/retry.js:31:20)\n    at async PaymentService.charge (/app/dist/payment/service.js:88:22)\n    at async /app/dist/http/routes/charges.js:41:18`)}`
      : `,"error":"ProviderTimeoutError"`;
    this.app(payPod, ERROR, t, 'charge failed: provider timeout after 2 attempts', trace, paySpan, user.id, `,"order_id":"${orderId}","provider":"acmepay"${stack}`);
    if (rng.chance(0.08)) {
      // the runtime also prints the rejection to stderr: a real multi-line entry
      const te = t + rng.between(100, 900);
      this.emit(payPod, ERROR, te, `Unhandled rejection in charge worker (order ${orderId}):\nProviderTimeoutError: POST ${endpoint} timed out after ${PROVIDER_TIMEOUT_MS}ms\n    at ChargeClient.request (/app/dist/providers/acmepay/client.js:214:15)\n    at Timeout._onTimeout (/app/dist/providers/acmepay/client.js:120:21)\n    at listOnTimeout (node:internal/timers:573:17)\n    at process.processTimers (node:internal/timers:514:7)`, trace, paySpan, user.id);
    }
    t += rng.between(1000, 3000);
    this.app(orderPod, ERROR, t, 'payment failed, order left in payment_pending', trace, orderSpan, user.id, `,"order_id":"${orderId}","reason":"provider_timeout","retry_in_s":300`);
  }

  /** GET /api/v1/products/{sku}: gateway → inventory. */
  private productView(rng: Prng, t0: number): void {
    const user = rng.chance(0.45) ? this.user(rng) : undefined;
    const ip = this.clientIp(rng, user);
    const trace = rng.hex(16);
    const invSpan = rng.hex(8);
    const gw = this.pod(rng, GATEWAY);
    const inv = this.pod(rng, INVENTORY);
    const known = rng.chance(0.97);
    const sku = known ? this.product(rng).sku : `SKU-${rng.between(100000, 999999)}`;
    let t = t0 + rng.between(300, 1500);
    let status = 200;
    if (!known) {
      this.kv(inv, WARN, t, 'product not found', `sku=${sku}`, trace, invSpan);
      status = 404;
    } else if (rng.chance(0.6)) {
      this.kv(inv, DEBUG, t, 'cache hit', `key=product:${sku} ttl_s=${rng.int(300)}`, trace, invSpan);
    } else {
      const d = rng.between(2, 40);
      this.kv(inv, INFO, t, 'stock lookup', `sku=${sku} warehouses=${rng.between(1, 4)} available=${rng.skewed(500, 2)} duration_ms=${d}`, trace, invSpan);
      t += d * 1000;
    }
    t += rng.between(400, 6000);
    const path = rng.chance(0.8) ? `/api/v1/products/${sku}` : `/api/v1/products/${sku}/reviews?page=${rng.between(1, 5)}`;
    this.access(rng, t, gw, ip, 'GET', path, status, status === 200 ? rng.between(900, 7800) : 72, this.referer(rng), this.agent(rng, user), t - t0, t - t0 - 300, trace, rng.hex(8), user?.id ?? '');
  }

  /** Category listing or search: gateway → inventory. */
  private productQuery(rng: Prng, t0: number): void {
    const user = rng.chance(0.4) ? this.user(rng) : undefined;
    const ip = this.clientIp(rng, user);
    const trace = rng.hex(16);
    const invSpan = rng.hex(8);
    const gw = this.pod(rng, GATEWAY);
    const inv = this.pod(rng, INVENTORY);
    const page = rng.chance(0.7) ? 1 : rng.between(2, 12);
    let path: string;
    let fields: string;
    if (rng.chance(0.55)) {
      const cat = rng.pick(CATEGORIES);
      const sort = rng.pick(SORTS);
      path = `/api/v1/products?category=${cat}&page=${page}&sort=${sort}`;
      fields = `category=${cat} page=${page} sort=${sort}`;
    } else {
      const words = this.catalog.searchWords;
      const q = rng.chance(0.5) ? rng.pick(words) : `${rng.pick(words)}+${rng.pick(words)}`;
      path = `/api/v1/search?q=${q}&page=${page}`;
      fields = `q="${q.replace('+', ' ')}" page=${page}`;
    }
    const d = Math.round(rng.logNormal(18, 0.7));
    let t = t0 + rng.between(300, 1500) + d * 1000;
    const rows = rng.skewed(48, 0.5);
    if (d > 120) {
      this.kv(inv, WARN, t, 'slow query', `${fields} rows=${rows} duration_ms=${d} threshold_ms=120`, trace, invSpan);
    } else {
      this.kv(inv, INFO, t, 'product query', `${fields} rows=${rows} duration_ms=${d}`, trace, invSpan);
    }
    t += rng.between(300, 4000);
    this.access(rng, t, gw, ip, 'GET', path, 200, 600 + rows * rng.between(180, 260), this.referer(rng), this.agent(rng, user), t - t0, t - t0 - 250, trace, rng.hex(8), user?.id ?? '');
  }

  /** GET an order or the order list: gateway → auth → order. */
  private orderView(rng: Prng, t0: number): void {
    const user = this.user(rng);
    const ip = this.clientIp(rng, user);
    const trace = rng.hex(16);
    const span = rng.hex(8);
    const gw = this.pod(rng, GATEWAY);
    const op = this.pod(rng, ORDER);
    let t = t0 + rng.between(200, 1200);
    this.authVerify(rng, t, trace, rng.hex(8), user, ip);
    t += rng.between(800, 6000);
    let path: string;
    let status = 200;
    if (rng.chance(0.5)) {
      const orderId = `ord_${rng.alnum(14)}`;
      path = `/api/v1/orders/${orderId}`;
      if (rng.chance(0.03)) {
        status = 404;
        this.app(op, WARN, t, 'order not found', trace, span, user.id, `,"order_id":"${orderId}"`);
      } else {
        this.app(op, INFO, t, 'order fetched', trace, span, user.id, `,"order_id":"${orderId}","status":"${rng.pick(['confirmed', 'shipped', 'delivered', 'delivered', 'payment_pending', 'cancelled'])}"`);
      }
    } else {
      const page = rng.chance(0.8) ? 1 : rng.between(2, 6);
      path = `/api/v1/orders?page=${page}&limit=20`;
      this.app(op, INFO, t, 'orders listed', trace, span, user.id, `,"page":${page},"count":${rng.int(21)},"duration_ms":${rng.between(3, 60)}`);
    }
    t += rng.between(300, 1500);
    this.access(rng, t, gw, ip, 'GET', path, status, status === 200 ? rng.between(400, 9000) : 64, 'https://shop.example.com/account/orders', this.agent(rng, user), t - t0, t - t0 - 200, trace, rng.hex(8), user.id);
  }

  /** Cart changes: gateway → auth → order. */
  private cart(rng: Prng, t0: number): void {
    const user = this.user(rng);
    const ip = this.clientIp(rng, user);
    const trace = rng.hex(16);
    const span = rng.hex(8);
    const gw = this.pod(rng, GATEWAY);
    const op = this.pod(rng, ORDER);
    let t = t0 + rng.between(200, 1200);
    this.authVerify(rng, t, trace, rng.hex(8), user, ip);
    t += rng.between(600, 4000);
    const p = this.product(rng);
    const x = rng.next();
    let method: string;
    let path: string;
    let status: number;
    const cartId = `cart_${user.id.slice(2)}`;
    if (x < 0.5) {
      method = 'POST';
      path = '/api/v1/cart/items';
      status = 200;
      this.app(op, INFO, t, 'cart item added', trace, span, user.id, `,"cart_id":"${cartId}","sku":"${p.sku}","qty":${rng.chance(0.8) ? 1 : rng.between(2, 4)},"items":${rng.between(1, 9)}`);
    } else if (x < 0.8) {
      method = 'GET';
      path = '/api/v1/cart';
      status = 200;
      this.app(op, DEBUG, t, 'cart loaded', trace, span, user.id, `,"cart_id":"${cartId}","items":${rng.int(9)},"cache":"${rng.chance(0.7) ? 'hit' : 'miss'}"`);
    } else {
      method = 'DELETE';
      path = `/api/v1/cart/items/${p.sku}`;
      status = 204;
      this.app(op, INFO, t, 'cart item removed', trace, span, user.id, `,"cart_id":"${cartId}","sku":"${p.sku}"`);
    }
    t += rng.between(300, 1500);
    this.access(rng, t, gw, ip, method, path, status, status === 204 ? 0 : rng.between(300, 2600), `https://shop.example.com/p/${p.slug}`, this.agent(rng, user), t - t0, t - t0 - 200, trace, rng.hex(8), user.id);
  }

  /** POST /api/v1/auth/login: gateway → auth. `attackIp` set = a credential-stuffing attempt. */
  private login(rng: Prng, t0: number, attackIp: string): void {
    const trace = rng.hex(16);
    const span = rng.hex(8);
    const gw = this.pod(rng, GATEWAY);
    const ap = this.pod(rng, AUTH);
    const t = t0 + rng.between(30_000, 120_000); // password hashing dominates
    if (attackIp !== '') {
      const name = rng.chance(0.6) ? rng.pick(BRUTE_FORCE_NAMES) : this.user(rng).name;
      this.app(ap, WARN, t, `Failed password for user ${name} from ${attackIp}`, trace, span, '', `,"client_ip":"${attackIp}","reason":"invalid_credentials"`);
      const te = t + rng.between(300, 1200);
      this.access(rng, te, gw, attackIp, 'POST', '/api/v1/auth/login', 401, 61, '-', rng.pick(SCANNER_AGENTS), te - t0, te - t0 - 150, trace, rng.hex(8), '');
      return;
    }
    const user = this.user(rng);
    const ip = this.clientIp(rng, user);
    let status = 200;
    if (rng.chance(0.09)) {
      status = 401;
      this.app(ap, WARN, t, `Failed password for user ${user.name} from ${ip}`, trace, span, user.id, `,"client_ip":"${ip}","reason":"invalid_password","attempt":${rng.between(1, 4)}`);
      if (rng.chance(0.08)) {
        this.app(ap, WARN, t + 200, 'account locked after 5 failed attempts', trace, span, user.id, `,"client_ip":"${ip}","locked_for_s":900`);
      }
    } else {
      const method = rng.chance(0.8) ? 'password' : rng.chance(0.6) ? 'google' : 'apple';
      this.app(ap, INFO, t, `login succeeded for user ${user.name}`, trace, span, user.id, `,"client_ip":"${ip}","method":"${method}","mfa":${rng.chance(0.3)}`);
    }
    const te = t + rng.between(300, 1200);
    this.access(rng, te, gw, ip, 'POST', '/api/v1/auth/login', status, status === 200 ? rng.between(700, 900) : 61, 'https://shop.example.com/login', this.agent(rng, user), te - t0, te - t0 - 150, trace, rng.hex(8), status === 200 ? user.id : '');
  }

  /** Static files served by the gateway itself. */
  private staticAsset(rng: Prng, t0: number): void {
    const user = rng.chance(0.3) ? this.user(rng) : undefined;
    const ip = this.clientIp(rng, user);
    const gw = this.pod(rng, GATEWAY);
    const x = rng.next();
    let path: string;
    let bytes: number;
    if (x < 0.35) {
      path = `/static/${rng.pick(this.catalog.bundles)}`;
      bytes = rng.between(20_000, 480_000);
    } else if (x < 0.9) {
      const p = this.product(rng);
      path = `/images/products/${p.sku.toLowerCase()}_${rng.between(1, 6)}.webp?w=${rng.pick([200, 400, 800, 1200])}`;
      bytes = rng.between(8_000, 160_000);
    } else {
      path = rng.pick(['/favicon.ico', '/robots.txt', '/manifest.webmanifest', '/static/fonts/inter-var.woff2', '/sitemap.xml']);
      bytes = rng.between(300, 60_000);
    }
    const notModified = rng.chance(0.3);
    const d = rng.between(100, notModified ? 900 : 40_000);
    // served by nginx itself: only proxied locations are traced
    this.access(rng, t0 + d, gw, ip, 'GET', path, notModified ? 304 : 200, notModified ? 0 : bytes, this.referer(rng), this.agent(rng, user), d, -1, '', '', '');
  }

  /** Kubelet probes and Prometheus scrapes. */
  private probe(rng: Prng, t0: number): void {
    const gw = this.pod(rng, GATEWAY);
    if (rng.chance(0.75)) {
      const path = rng.chance(0.5) ? '/healthz' : '/readyz';
      this.access(rng, t0 + 80, gw, `10.244.${rng.between(1, 6)}.1`, 'GET', path, 200, 2, '-', 'kube-probe/1.29', rng.between(40, 400), -1, '', '', '');
    } else {
      const d = rng.between(2000, 9000);
      this.access(rng, t0 + d, gw, '10.244.0.12', 'GET', '/metrics', 200, rng.between(14_000, 19_000), '-', 'Prometheus/2.51.0', d, -1, '', '', '');
    }
  }

  /** Internet background radiation: vulnerability scanners. */
  private scanner(rng: Prng, t0: number): void {
    const gw = this.pod(rng, GATEWAY);
    const ip = rng.pick(this.catalog.attackerIps);
    const d = rng.between(100, 2000);
    this.access(rng, t0 + d, gw, ip, rng.chance(0.85) ? 'GET' : 'POST', rng.pick(SCANNER_PATHS), rng.chance(0.9) ? 404 : 403, rng.between(150, 560), '-', rng.pick(SCANNER_AGENTS), d, -1, '', '', '');
  }

  /** Lines not caused by a request: runtime stats, pools, caches, jobs, webhooks, rare crashes. */
  private background(rng: Prng, t: number): void {
    const x = rng.next();
    if (x < 0.2) {
      const svc = rng.pick([AUTH, ORDER, PAYMENT]);
      const pod = this.pod(rng, svc);
      this.app(pod, DEBUG, t, 'runtime stats', '', '', '', `,"heap_used_mb":${rng.between(80, 420)},"rss_mb":${rng.between(180, 700)},"gc_pause_ms":${(rng.next() * 30).toFixed(1)},"event_loop_lag_ms":${(rng.next() * 8).toFixed(2)}`);
    } else if (x < 0.34) {
      const svc = rng.pick([AUTH, ORDER, PAYMENT]);
      const pod = this.pod(rng, svc);
      const waiting = rng.chance(0.9) ? 0 : rng.between(1, 12);
      const level = waiting > 8 ? WARN : INFO;
      this.app(pod, level, t, 'db pool stats', '', '', '', `,"pool":"postgres-${SERVICES[svc].name}","active":${rng.between(1, 20)},"idle":${rng.int(20)},"waiting":${waiting}`);
    } else if (x < 0.44) {
      const pod = this.pod(rng, ORDER);
      this.app(pod, DEBUG, t, 'cart cache stats', '', '', '', `,"hits":${rng.between(200, 9000)},"misses":${rng.between(5, 600)},"evictions":${rng.int(50)},"size":${rng.between(10_000, 60_000)}`);
    } else if (x < 0.5) {
      const pod = this.pod(rng, ORDER);
      const d = rng.between(250, 4000);
      const sql = rng.pick([
        'SELECT o.id, o.status, o.total FROM orders o WHERE o.user_id = $1 ORDER BY o.created_at DESC LIMIT 20',
        'UPDATE orders SET status = $1, updated_at = now() WHERE id = $2',
        'SELECT count(*) FROM order_items WHERE order_id = ANY($1)',
        'INSERT INTO order_events (order_id, kind, payload) VALUES ($1, $2, $3)',
        'DELETE FROM carts WHERE updated_at < now() - interval \'30 days\'',
      ]);
      this.app(pod, WARN, t, 'slow query', '', '', '', `,"duration_ms":${d},"rows":${rng.int(500)},"query":${JSON.stringify(sql)}`);
    } else if (x < 0.6) {
      const pod = this.pod(rng, INVENTORY);
      this.kv(pod, INFO, t, 'warehouse sync completed', `warehouse=${rng.pick(WAREHOUSES)} updated=${rng.int(800)} unchanged=${rng.between(2000, 9000)} duration_ms=${rng.between(300, 9000)}`, '', '');
    } else if (x < 0.68) {
      const pod = this.pod(rng, INVENTORY);
      this.kv(pod, DEBUG, t, 'cache refresh', `keys=${rng.between(100, 5000)} expired=${rng.int(300)} duration_ms=${rng.between(1, 90)}`, '', '');
    } else if (x < 0.78) {
      const pod = this.pod(rng, NOTIFY);
      this.emit(pod, DEBUG, t, this.plain(t, DEBUG, 'queue-poller', `polled ${rng.int(40)} messages from queue notifications in ${rng.between(1, 60)}ms`), '', '', '');
    } else if (x < 0.82) {
      const pod = this.pod(rng, NOTIFY);
      this.emit(pod, INFO, t, this.plain(t, INFO, 'digest', `sent ${rng.between(50, 900)} marketing digests batch=${rng.alnum(8)} bounced=${rng.int(9)}`), '', '', '');
    } else if (x < 0.87) {
      const pod = this.pod(rng, AUTH);
      this.app(pod, INFO, t, 'expired sessions removed', '', '', '', `,"count":${rng.between(0, 400)},"duration_ms":${rng.between(2, 80)}`);
    } else if (x < 0.95) {
      const pod = this.pod(rng, PAYMENT);
      const ev = rng.pick(['charge.succeeded', 'charge.succeeded', 'charge.refunded', 'payout.paid', 'charge.dispute.created']);
      this.app(pod, INFO, t, 'webhook received', '', '', '', `,"provider":"${rng.pick(PAYMENT_PROVIDERS)}","event":"${ev}","event_id":"evt_${rng.alnum(24)}"`);
    } else if (x < 0.97) {
      const pod = this.pod(rng, PAYMENT);
      this.app(pod, ERROR, t, 'webhook signature verification failed', '', '', '', `,"provider":"globalcard","remote_ip":"${rng.pick(this.catalog.attackerIps)}"`);
    } else if (x < 0.99) {
      const pod = this.pod(rng, ORDER);
      const stack = 'TypeError: Cannot read properties of undefined (reading \'sku\')\n    at mapLineItem (/app/dist/orders/mapper.js:57:31)\n    at Array.map (<anonymous>)\n    at toOrderView (/app/dist/orders/mapper.js:22:28)\n    at OrderController.get (/app/dist/orders/controller.js:64:16)';
      this.app(pod, ERROR, t, 'unhandled error while rendering order', '', '', '', `,"order_id":"ord_${rng.alnum(14)}","error":"TypeError","stack":${JSON.stringify(stack)}`);
    } else {
      const pod = this.pod(rng, NOTIFY);
      const tmpl = rng.pick(['order_shipped', 'password_reset', 'order_confirmation', 'weekly_digest']);
      this.emit(pod, ERROR, t, `${plainTime(Math.floor(t / 1000))} ERROR [mailer-${rng.between(1, 4)}] Failed to render template ${tmpl}\nTraceback (most recent call last):\n  File "/app/notify/render.py", line 88, in render\n    body = template.render(**context)\n  File "/usr/local/lib/python3.12/site-packages/jinja2/environment.py", line 1301, in render\n    self.environment.handle_exception()\njinja2.exceptions.UndefinedError: 'dict object' has no attribute 'tracking_url'`, '', '', '');
    }
  }
}
