// Korean resident registration numbers (주민등록번호, `YYMMDD-GNNNNNC`): the structure (birth date, the gender and
// century digit) and the check digit of numbers issued before the October 2020 reform, which made the last six
// digits random. Pure.

// Weights of the first twelve digits; check = (11 - sum mod 11) mod 10 (Ministry of the Interior scheme, pre-2020).
const WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Century of birth from the seventh digit: 9/0 → 1800s, 1/2 (citizens) and 5/6 (foreign residents) → 1900s, 3/4 and 7/8 → 2000s. */
function century(genderDigit: number): number {
  if (genderDigit === 9 || genderDigit === 0) return 1800;
  if (genderDigit <= 2 || genderDigit === 5 || genderDigit === 6) return 1900;
  return 2000;
}

/**
 * True if `text[start, start+14)` is `YYMMDD-NNNNNNN` with a real calendar date and, when `checksum` is on and the
 * number predates the reform (born before 2020-10-01, citizen gender digits 1–4, 9, 0), a correct check digit.
 * Numbers of people born from October 2020 on, and foreign residents' numbers (5–8, whose check variant is not
 * published uniformly), are accepted on structure alone.
 */
export function krRrnValid(text: string, start: number, checksum = true): boolean {
  if (start + 14 > text.length || text.charCodeAt(start + 6) !== 45 /* - */) return false;
  const d: number[] = [];
  for (let i = 0; i < 14; i++) {
    if (i === 6) continue;
    const c = text.charCodeAt(start + i) - 48;
    if (c < 0 || c > 9) return false;
    d.push(c);
  }
  const month = d[2]! * 10 + d[3]!;
  const day = d[4]! * 10 + d[5]!;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  const g = d[6]!;
  const year = century(g) + d[0]! * 10 + d[1]!;
  if (!checksum || g >= 5 && g <= 8) return true;
  if (year > 2020 || (year === 2020 && month >= 10)) return true;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += d[i]! * WEIGHTS[i]!;
  return (11 - (sum % 11)) % 10 === d[12];
}
