import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/**
 * ASCII addresses: a local part that neither starts nor ends with a dot, then a dotted domain
 * ending in an alphabetic TLD. The end lookahead stops `a@b.co` being cut out of `a@b.com`.
 */
const EMAIL = new RegExp(
  String.raw`(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?@${LABEL}(?:\.${LABEL})*\.[A-Za-z]{2,24}(?![A-Za-z0-9\-]|\.[A-Za-z0-9])`,
  'g',
);

/** EMAIL_ADDRESS, e.g. `a.b@example.com`. */
export const emailDetector: Detector = {
  type: 'EMAIL_ADDRESS',
  mayMatch: (p) => p.at,
  find(text, sink) {
    forEachMatch(EMAIL, text, sink, (m, out) => {
      out.add('EMAIL_ADDRESS', m.index, m.index + m[0].length, Priority.email);
      return true;
    });
  },
};
