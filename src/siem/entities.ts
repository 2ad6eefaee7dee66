// The entities an alert is about (users, IP addresses, hosts), read from its group-by values and its events' fields
// and metadata by the names log sources commonly use for them. Incidents are searched and merged by these.

import type { LinkedEvent } from './detection-event.ts';

export interface Entities {
  user: string[];
  ip: string[];
  host: string[];
}

const USER_FIELDS = ['user', 'user_id', 'username', 'user_name', 'usr', 'account', 'User', 'TargetUserName', 'SubjectUserName', 'userIdentity.userName', 'userIdentity_userName', 'pam_user'];
const IP_FIELDS = ['src_ip', 'source_ip', 'client_ip', 'remote_ip', 'ip', 'rhost', 'c-ip', 'c_ip', 'src', 'SourceIp', 'sourceIPAddress', 'source.ip', 'source_ip_address', 'pam_rhost', 'ClientIP'];
const HOST_FIELDS = ['host', 'hostname', 'Computer', 'ComputerName', 'node', 'instance'];
const MAX_PER_KIND = 20;

function add(into: string[], v: string | undefined): void {
  if (v === undefined || v === '' || into.length >= MAX_PER_KIND || into.includes(v)) return;
  into.push(v);
}

function collect(into: Entities, get: (name: string) => string | undefined): void {
  for (const f of USER_FIELDS) add(into.user, get(f));
  for (const f of IP_FIELDS) add(into.ip, get(f));
  for (const f of HOST_FIELDS) add(into.host, get(f));
}

export function extractEntities(group: Record<string, string>, events: readonly LinkedEvent[]): Entities {
  const out: Entities = { user: [], ip: [], host: [] };
  collect(out, (n) => group[n]);
  for (const e of events) {
    collect(out, (n) => e.fields[n] ?? e.ref.metadata?.[n] ?? e.ref.labels[n]);
  }
  return out;
}
