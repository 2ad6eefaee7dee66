// RFC 3339 text of a millisecond time in UTC, as Go prints time.RFC3339Nano: `2024-05-01T12:00:00Z`, fractional
// seconds only when present (`2024-05-01T12:00:00.25Z`).

export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}
