import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { CODE_END, CODE_START } from './boundaries.js';

/**
 * Permanent Account Number: five letters, four digits, a letter. The fourth letter is the
 * holder type (P person, C company, H HUF, F firm, A AOP, T trust, B BOI, L local authority,
 * J artificial juridical person, G government), which keeps random codes out.
 */
const PAN = new RegExp(String.raw`${CODE_START}[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z]${CODE_END}`, 'g');

/** INDIA_PAN, e.g. `AAAPL1234C`. */
export const indiaPanDetector: Detector = {
  type: 'INDIA_PAN',
  mayMatch: (p) => p.capitalBeforeDigit && p.longestDigitRun >= 4,
  find(text, sink) {
    forEachMatch(PAN, text, sink, (m, out) => {
      out.add('INDIA_PAN', m.index, m.index + m[0].length, Priority.pan);
      return true;
    });
  },
};
