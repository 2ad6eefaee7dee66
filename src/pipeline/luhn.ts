// The Luhn (mod 10) check of ISO/IEC 7812 that every payment card number carries in its last digit.
// Pure: reads the digits of a text range, skipping the separators people type (spaces, dashes).

/**
 * True if the digits in `text[start, end)` (other characters are skipped) pass the Luhn check. Fewer than two
 * digits never pass.
 */
export function luhnValid(text: string, start = 0, end = text.length): boolean {
  let sum = 0;
  let count = 0;
  // From the right, every second digit is doubled; a doubled digit over 9 contributes its digit sum (d*2 - 9).
  for (let i = end - 1; i >= start; i--) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    if ((count & 1) === 1) {
      const d = c * 2;
      sum += d > 9 ? d - 9 : d;
    } else {
      sum += c;
    }
    count++;
  }
  return count >= 2 && sum % 10 === 0;
}
