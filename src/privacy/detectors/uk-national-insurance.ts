import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { CODE_END, CODE_START } from './boundaries.js';

/**
 * Two prefix letters (D, F, I, Q, U, V never used; O never second), six digits, suffix A–D;
 * plain (`AB123456C`) or spaced in pairs (`AB 12 34 56 C`).
 */
const NINO = new RegExp(String.raw`${CODE_START}[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]( ?)\d{2}\1\d{2}\1\d{2}\1[A-D]${CODE_END}`, 'g');

/** Prefixes HMRC never allocates (administrative and temporary ranges). */
const DISALLOWED_PREFIXES: ReadonlySet<string> = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

/** UK_NATIONAL_INSURANCE_NUMBER, e.g. `AB 12 34 56 C`. */
export const ukNationalInsuranceDetector: Detector = {
  type: 'UK_NATIONAL_INSURANCE_NUMBER',
  mayMatch: (p) => p.capitalBeforeDigit && p.longestDigitRun >= 4,
  find(text, sink) {
    forEachMatch(NINO, text, sink, (m, out) => {
      if (DISALLOWED_PREFIXES.has(m[0].slice(0, 2))) return false;
      out.add('UK_NATIONAL_INSURANCE_NUMBER', m.index, m.index + m[0].length, Priority.nationalInsurance);
      return true;
    });
  },
};
