// Timestamp texts as the simulated programs print them (ISO 8601, nginx $time_local, nginx error log, plain).
// Formatting is the hot part of line generation, so each format caches the text of the current second.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function three(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : String(n);
}

interface SecondParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function parts(sec: number): SecondParts {
  const t = new Date(sec * 1000);
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth(), d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() };
}

let isoSec = NaN;
let isoText = '';
/** `2024-05-01T12:00:00.123Z` */
export function isoTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSec) {
    const p = parts(sec);
    isoSec = sec;
    isoText = `${p.y}-${two(p.mo + 1)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}:${two(p.s)}.`;
  }
  return isoText + three(Math.floor(ms - sec * 1000)) + 'Z';
}

let plainSec = NaN;
let plainText = '';
/** `2024-05-01 12:00:00.123` (UTC), as log4j/logback-style loggers print it */
export function plainTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== plainSec) {
    const p = parts(sec);
    plainSec = sec;
    plainText = `${p.y}-${two(p.mo + 1)}-${two(p.d)} ${two(p.h)}:${two(p.mi)}:${two(p.s)}.`;
  }
  return plainText + three(Math.floor(ms - sec * 1000));
}

let nginxSec = NaN;
let nginxText = '';
/** nginx `$time_local`: `01/May/2024:12:00:00 +0000` */
export function nginxTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== nginxSec) {
    const p = parts(sec);
    nginxSec = sec;
    nginxText = `${two(p.d)}/${MONTHS[p.mo]}/${p.y}:${two(p.h)}:${two(p.mi)}:${two(p.s)} +0000`;
  }
  return nginxText;
}

let errSec = NaN;
let errText = '';
/** nginx error log: `2024/05/01 12:00:00` */
export function nginxErrorTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== errSec) {
    const p = parts(sec);
    errSec = sec;
    errText = `${p.y}/${two(p.mo + 1)}/${two(p.d)} ${two(p.h)}:${two(p.mi)}:${two(p.s)}`;
  }
  return errText;
}
