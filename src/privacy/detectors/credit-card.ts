import { luhnValid } from '../checksums.js';
import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';
import { ID_END, ID_START } from './boundaries.js';

const SEPARATORS = /[ -]/g;

/** 13–19 digits, optionally with single spaces or dashes between them. */
const CARD = new RegExp(String.raw`${ID_START}\d(?:[ \-]?\d){12,18}${ID_END}`, 'g');

/**
 * Whether the issuer prefix (IIN) and length fit a real card scheme: Visa, Mastercard (incl.
 * 2221–2720), Amex, Diners, JCB, Discover, RuPay, UnionPay, Maestro. Loose on purpose (schemes
 * add ranges), but it rejects the 0/1/7/9 prefixes no scheme uses.
 */
function plausibleCard(digits: string): boolean {
  const n = digits.length;
  const d1 = digits.charCodeAt(0) - 48;
  const d2 = digits.charCodeAt(1) - 48;
  switch (d1) {
    case 2: {
      const p4 = Number(digits.slice(0, 4));
      return n === 16 && p4 >= 2221 && p4 <= 2720;
    }
    case 3:
      if (d2 === 4 || d2 === 7) return n === 15; // American Express
      if (d2 === 0 || d2 === 6 || d2 === 8 || d2 === 9) return n >= 14 && n <= 19; // Diners
      if (d2 === 5) return n >= 16 && n <= 19; // JCB
      return false;
    case 4:
      return true; // Visa: 13, 16 or 19 digits, and some issuers use the rest
    case 5:
      return n >= 16 || d2 === 0 || d2 >= 6; // Mastercard 16; Maestro 50, 56–59 any length
    case 6:
      return true; // Discover, RuPay, UnionPay, Maestro
    case 8:
      return n === 16 && (d2 === 1 || d2 === 2); // RuPay
    default:
      return false;
  }
}

/** CREDIT_CARD_NUMBER: a plausible issuer prefix and length, and a valid Luhn check digit. */
export const creditCardDetector: Detector = {
  type: 'CREDIT_CARD_NUMBER',
  mayMatch: (p) => p.longestDigitRun >= 13,
  find(text, sink) {
    forEachMatch(CARD, text, sink, (m, out) => {
      const raw = m[0];
      const digits = raw.replace(SEPARATORS, '');
      if (!plausibleCard(digits) || !luhnValid(raw)) return false;
      out.add('CREDIT_CARD_NUMBER', m.index, m.index + raw.length, Priority.creditCard);
      return true;
    });
  },
};
