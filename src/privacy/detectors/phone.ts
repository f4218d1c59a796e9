import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { PHONE_END, PHONE_START } from './boundaries.js';

/**
 * Phone formats, in alternation order:
 * 1. international: `+` country code, then groups (optionally parenthesised) with single
 *    separators — `+91 98765 43210`, `+91-9876543210`, `+44 20 7946 0958`, `+1 (415) 555-0132`;
 * 2. Indian mobile: `[0]` + 10 digits starting 6–9, optionally split 5-5 — `9876543210`;
 * 3. North American: area and exchange starting 2–9, with separators — `(415) 555-0132`,
 *    `415-555-0132` (an unseparated 10-digit run is too ambiguous to call a US phone);
 * 4. UK (and Indian landline) national: trunk 0, an area code not starting with 0 (a "00" is an
 *    international prefix), then the number — `020 7946 0958`, `07700 900123`, `080-2222 3333`.
 * Digit counts the regex cannot express are checked in code. International groups must end
 * where their digits end: with overlapping group lengths, `+1` followed by a long digit run
 * backtracked through every way of splitting it (~0.4 ms per occurrence).
 */
const PHONE = new RegExp(
  PHONE_START +
    '(?:' +
    String.raw`(\+[1-9]\d{0,3}(?:[ .\-]?(?:\(\d{1,5}\)|\d{1,12}(?!\d))){1,6})` +
    String.raw`|0?[6-9]\d{4}[ \-]?\d{5}` +
    String.raw`|(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .\-])[2-9]\d{2}[ .\-]\d{4}` +
    String.raw`|(0[1-9]\d{1,3}[ \-]?\d{3,4}[ \-]?\d{3,4})` +
    ')' +
    PHONE_END,
  'g',
);

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** PHONE_NUMBER: Indian mobiles, international `+CC …`, North American and UK national formats. */
export const phoneDetector: Detector = {
  type: 'PHONE_NUMBER',
  // The shortest accepted form has eight digits (E.164 allows up to fifteen).
  mayMatch: (p) => p.longestDigitRun >= 8,
  find(text, sink) {
    forEachMatch(PHONE, text, sink, (m, out) => {
      const international = m[1];
      const ukNational = m[2];
      if (international !== undefined) {
        const n = countDigits(international);
        if (n < 8 || n > 15) return false;
      } else if (ukNational !== undefined) {
        const n = countDigits(ukNational);
        if (n < 10 || n > 11) return false;
      }
      out.add('PHONE_NUMBER', m.index, m.index + m[0].length, Priority.phone);
      return true;
    });
  },
};
