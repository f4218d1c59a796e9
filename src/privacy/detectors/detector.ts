import type { InfoType } from '../info-types.js';

/**
 * Cheap facts about a text, gathered in one pass before any regex runs, so the scanner can skip
 * every detector that cannot possibly match (most descriptions carry no personal data at all).
 */
export interface TextProfile {
  /**
   * Digits in the longest run of digits joined by at most two of ` -.()+` in a row. Exact from
   * 8 up; a longest run of 4–7 digits is reported as 4 and a shorter one as 0, since no detector
   * needs finer detail there.
   */
  longestDigitRun: number;
  /** Digits, dot, digits, dot… four times (what an IPv4 address needs). */
  dottedQuad: boolean;
  /** A `::` or seven colon-terminated hex groups (what an IPv6 address needs). */
  ipv6Hint: boolean;
  at: boolean;
  /** An ASCII capital directly before a digit, or before one space and a digit (IBAN, PAN, NI). */
  capitalBeforeDigit: boolean;
}

/** Where detectors put candidate findings; the scanner resolves overlaps afterwards. */
export interface FindingSink {
  add(type: InfoType, start: number, end: number, priority: number): void;
}

/** One info type's matcher. Detectors are stateless apart from their compiled regexes. */
export interface Detector {
  readonly type: InfoType;
  /** False when the text cannot contain this info type; true means "worth running `find`". */
  mayMatch(profile: TextProfile): boolean;
  find(text: string, sink: FindingSink): void;
}

/**
 * Which finding survives when two overlap: the higher number. Checksummed and structurally
 * distinctive types beat looser ones; phone numbers, which are matched on format alone, lose to
 * all of them except an NHS number written without spaces, because any ten-digit number passes
 * the NHS mod-11 check one time in eleven (the textbook Indian mobile 9876543210 does) while
 * unspaced ten-digit phone numbers are common in our data.
 */
export const Priority = {
  email: 100,
  iban: 90,
  creditCard: 80,
  aadhaar: 70,
  ssn: 60,
  nhsGrouped: 55,
  nationalInsurance: 50,
  pan: 45,
  ipAddress: 40,
  phone: 30,
  nhsUngrouped: 20,
} as const;

/**
 * Runs a global regex over `text`, handing each match to `accept`. A rejected match is retried
 * one character further on, so a failed checksum on a greedy match does not hide a valid
 * candidate that starts inside it.
 */
export function forEachMatch(pattern: RegExp, text: string, sink: FindingSink, accept: (match: RegExpExecArray, sink: FindingSink) => boolean): void {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (!accept(match, sink)) pattern.lastIndex = match.index + 1;
  }
}
