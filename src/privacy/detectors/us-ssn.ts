import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { ID_END, ID_START } from './boundaries.js';

/** `AAA-GG-SSSS` (area, group, serial). Undashed nine-digit runs are too common to call SSNs. */
const SSN = new RegExp(String.raw`${ID_START}(\d{3})-(\d{2})-(\d{4})${ID_END}`, 'g');

/**
 * Whether the parts fall in ranges the SSA issues: area not 000, 666 or 900–999; group not 00;
 * serial not 0000.
 */
function issuable(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area.charCodeAt(0) !== 57 && group !== '00' && serial !== '0000';
}

/** US_SOCIAL_SECURITY_NUMBER, e.g. `123-45-6789`. */
export const usSsnDetector: Detector = {
  type: 'US_SOCIAL_SECURITY_NUMBER',
  mayMatch: (p) => p.longestDigitRun >= 9,
  find(text, sink) {
    forEachMatch(SSN, text, sink, (m, out) => {
      if (!issuable(m[1] as string, m[2] as string, m[3] as string)) return false;
      out.add('US_SOCIAL_SECURITY_NUMBER', m.index, m.index + m[0].length, Priority.ssn);
      return true;
    });
  },
};
