/**
 * Lookaround fragments shared by the detectors. Boundaries are ASCII-only on purpose: Indic
 * descriptions often run a number straight into Devanagari or Kannada text ("नंबर9876543210"),
 * and those letters should not hide it.
 */

/**
 * Start of an identifier number: not inside a word or a signed number, not the tail of a code
 * like `ORD-123` or `INV/2024/…`, not after a decimal point or a time's colon, and not part of
 * a longer space-separated digit run (a number embedded in a longer run is not a match).
 */
export const ID_START = String.raw`(?<![A-Za-z0-9_+]|[A-Za-z0-9_][\-/]|\d[.: ])`;

/** End of an identifier number: the mirror of {@link ID_START}. */
export const ID_END = String.raw`(?![A-Za-z0-9_]|[\-/][A-Za-z0-9]|[.:]\d| \d)`;

/**
 * Phone numbers are looser than identifiers on one point: they may follow another number after
 * a space ("at 10:30 9876543210"), since their formats rarely align with other digit groups.
 */
export const PHONE_START = String.raw`(?<![A-Za-z0-9_+]|[A-Za-z0-9_][\-/]|\d[.:])`;
export const PHONE_END = String.raw`(?![A-Za-z0-9_]|[\-/][A-Za-z0-9]|[.:]\d)`;

/** Start and end of a code made of letters and digits (PAN, IBAN, NI number). */
export const CODE_START = '(?<![A-Za-z0-9_])';
export const CODE_END = '(?![A-Za-z0-9_])';
