import { verhoeffValid } from '../checksums.js';
import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { ID_END, ID_START } from './boundaries.js';

/** Twelve digits, first 2–9, plain or as `XXXX XXXX XXXX` (the same separator twice). */
const AADHAAR = new RegExp(String.raw`${ID_START}[2-9]\d{3}([ \-]?)\d{4}\1\d{4}${ID_END}`, 'g');

/** INDIA_AADHAAR: twelve digits whose last is the Verhoeff check digit. */
export const indiaAadhaarDetector: Detector = {
  type: 'INDIA_AADHAAR',
  mayMatch: (p) => p.longestDigitRun >= 12,
  find(text, sink) {
    forEachMatch(AADHAAR, text, sink, (m, out) => {
      if (!verhoeffValid(m[0])) return false;
      out.add('INDIA_AADHAAR', m.index, m.index + m[0].length, Priority.aadhaar);
      return true;
    });
  },
};
