import { nhsValid } from '../checksums.js';
import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { ID_END, ID_START } from './boundaries.js';

/** Ten digits, plain or 3-3-4 with the same separator twice: `943 476 5919`. */
const NHS = new RegExp(String.raw`${ID_START}\d{3}([ \-]?)\d{3}\1\d{4}${ID_END}`, 'g');

/** True when every digit is the same: "0000000000" passes mod 11 but is never issued. */
function allSameDigit(s: string): boolean {
  const first = s.charCodeAt(0);
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== first && c !== 32 && c !== 45) return false;
  }
  return true;
}

/**
 * UK_NHS_NUMBER: ten digits passing the modulus 11 check. Written 3-3-4 it outranks a phone
 * reading of the same digits; written as a plain run, a phone reading wins (see `Priority`).
 */
export const ukNhsDetector: Detector = {
  type: 'UK_NHS_NUMBER',
  mayMatch: (p) => p.longestDigitRun >= 10,
  find(text, sink) {
    forEachMatch(NHS, text, sink, (m, out) => {
      const value = m[0];
      if (!nhsValid(value) || allSameDigit(value)) return false;
      const grouped = (m[1] as string).length > 0;
      out.add('UK_NHS_NUMBER', m.index, m.index + value.length, grouped ? Priority.nhsGrouped : Priority.nhsUngrouped);
      return true;
    });
  },
};
