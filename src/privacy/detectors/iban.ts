import { ibanLength, ibanValid } from '../checksums.js';
import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { CODE_END, CODE_START } from './boundaries.js';

/**
 * Country, check digits, then the BBAN either unspaced or in groups of four with a shorter last
 * group: `GB82 WEST 1234 5698 7654 32`, `DE89370400440532013000`. Upper case only, as printed.
 */
const IBAN = new RegExp(String.raw`${CODE_START}[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?${CODE_END}`, 'g');

/**
 * Where, inside `candidate`, the IBAN of `length` characters (spaces not counted) ends — or -1
 * when that point is not followed by a space. The greedy pattern can swallow a following
 * upper-case word or number group ("… 0130 00 REF1"); cutting at the country's length recovers
 * the IBAN in front of it.
 */
function endAfterCharacters(candidate: string, length: number): number {
  let seen = 0;
  for (let i = 0; i < candidate.length; i++) {
    if (candidate.charCodeAt(i) === 32) continue;
    seen++;
    if (seen === length) return candidate.charCodeAt(i + 1) === 32 ? i + 1 : -1;
  }
  return -1;
}

/** IBAN_CODE: a registry country, that country's length, and an ISO 7064 mod-97 remainder of 1. */
export const ibanDetector: Detector = {
  type: 'IBAN_CODE',
  mayMatch: (p) => p.capitalBeforeDigit && p.longestDigitRun >= 4,
  find(text, sink) {
    forEachMatch(IBAN, text, sink, (m, out) => {
      const candidate = m[0];
      if (ibanValid(candidate)) {
        out.add('IBAN_CODE', m.index, m.index + candidate.length, Priority.iban);
        return true;
      }
      const expected = ibanLength(candidate.slice(0, 2));
      if (expected === undefined) return false;
      const end = endAfterCharacters(candidate, expected);
      if (end < 0 || !ibanValid(candidate.slice(0, end))) return false;
      out.add('IBAN_CODE', m.index, m.index + end, Priority.iban);
      IBAN.lastIndex = m.index + end;
      return true;
    });
  },
};
