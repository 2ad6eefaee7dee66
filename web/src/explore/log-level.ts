// A log line's level for colouring and the histogram's legend: from its labels, structured metadata or parsed
// fields (`level`, `detected_level`, `severity`…), else guessed from the start of the line. Pure.

import type { Labels } from '../api/loki-types.ts';

export type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'unknown';
export const LEVELS: Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'unknown'];

const ALIASES: Record<string, Level> = {
  fatal: 'fatal', panic: 'fatal', crit: 'fatal', critical: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal', f: 'fatal',
  error: 'error', err: 'error', e: 'error', eror: 'error',
  warn: 'warn', warning: 'warn', w: 'warn', wrn: 'warn',
  info: 'info', information: 'info', informational: 'info', notice: 'info', i: 'info', inf: 'info',
  debug: 'debug', dbg: 'debug', d: 'debug', debu: 'debug',
  trace: 'trace', trc: 'trace', t: 'trace',
};

const LEVEL_KEYS = ['level', 'detected_level', 'severity', 'severity_text', 'lvl', 'loglevel', 'log_level'];
const FIELD_IN_LINE = /\b(?:level|lvl|severity|loglevel)["']?\s*[=:]\s*["']?([A-Za-z]+)/i;
const WORD_IN_LINE = /\b(FATAL|PANIC|CRITICAL|CRIT|ERROR|ERR|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE)\b/;

/** The level a name stands for (`ERR`, `Warning`, `crit`…), or undefined for other text. */
export function normalizeLevel(value: string | undefined): Level | undefined {
  if (!value) return undefined;
  return ALIASES[value.trim().toLowerCase()];
}

export function detectLevel(stream: Labels, metadata: Labels, parsed: Labels, line: string): Level {
  for (const source of [stream, metadata, parsed]) {
    for (const key of LEVEL_KEYS) {
      const l = normalizeLevel(source[key]);
      if (l) return l;
    }
  }
  const head = line.length > 300 ? line.slice(0, 300) : line;
  const field = FIELD_IN_LINE.exec(head);
  const fromField = normalizeLevel(field?.[1]);
  if (fromField) return fromField;
  return normalizeLevel(WORD_IN_LINE.exec(head)?.[1]) ?? 'unknown';
}
