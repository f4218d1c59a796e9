/**
 * Check-digit algorithms for the identifiers the generator plants in ticket text. A DLP detector
 * that validates checksums (as Google's does) ignores numbers that merely look right, so planted
 * values must be valid. These are written here rather than imported from `src/privacy` on purpose:
 * the generator is the independent oracle the detectors are tested against.
 */

/** Luhn check digit for a payload of decimal digits (the number without its last digit). */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  // The check digit will sit to the right, so the payload's rightmost digit is doubled.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether a card number (spaces and dashes allowed) passes the Luhn check. */
export function isLuhnValid(number: string): boolean {
  const digits = number.replace(/[\s-]/g, '');
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

/** The remainder mod 97 of an IBAN-style alphanumeric string, letters as A=10 … Z=35. */
export function mod97(text: string): number {
  let r = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) r = (r * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) r = (r * 100 + (c - 55)) % 97;
    else throw new RangeError(`mod97: unexpected character ${JSON.stringify(text[i])}`);
  }
  return r;
}

/** The two IBAN check digits (ISO 13616) for a country code and BBAN, e.g. ("GB", "WEST12345698765432") → "82". */
export function ibanCheckDigits(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return String(check).padStart(2, '0');
}

/** Whether an IBAN (spaces allowed) has valid check digits. */
export function isIbanValid(iban: string): boolean {
  const compact = iban.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  return mod97(compact.slice(4) + compact.slice(0, 4)) === 1;
}

// Verhoeff's dihedral-group tables (multiplication d, permutation p, inverse inv).
const VERHOEFF_D: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VERHOEFF_INV: readonly number[] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

function verhoeffStep(c: number, position: number, digit: number): number {
  return (VERHOEFF_D[c] as readonly number[])[(VERHOEFF_P[position % 8] as readonly number[])[digit] as number] as number;
}

/** Verhoeff check digit for a payload of decimal digits (Aadhaar's last digit), e.g. "236" → 3. */
export function verhoeffCheckDigit(payload: string): number {
  let c = 0;
  // Positions count from the right, starting at 1 because the check digit will take position 0.
  for (let i = payload.length - 1, pos = 1; i >= 0; i--, pos++) c = verhoeffStep(c, pos, payload.charCodeAt(i) - 48);
  return VERHOEFF_INV[c] as number;
}

/** Whether a digit string (spaces allowed) ends in a valid Verhoeff check digit. */
export function isVerhoeffValid(number: string): boolean {
  const digits = number.replace(/\s/g, '');
  if (!/^\d+$/.test(digits)) return false;
  let c = 0;
  for (let i = digits.length - 1, pos = 0; i >= 0; i--, pos++) c = verhoeffStep(c, pos, digits.charCodeAt(i) - 48);
  return c === 0;
}

/** Whether a 12-digit Aadhaar number (grouped `XXXX XXXX XXXX` or not) is well-formed: first digit 2–9 and a valid Verhoeff digit. */
export function isAadhaarValid(aadhaar: string): boolean {
  const digits = aadhaar.replace(/\s/g, '');
  return /^[2-9]\d{11}$/.test(digits) && isVerhoeffValid(digits);
}

/**
 * NHS number check digit (modulus 11, weights 10…2) for the first nine digits, or null when the
 * remainder makes it 10 — such numbers are never issued.
 */
export function nhsCheckDigit(payload: string): number | null {
  if (!/^\d{9}$/.test(payload)) throw new RangeError('an NHS payload is nine digits');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (payload.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

/** Whether a 10-digit NHS number (spaces allowed) has a valid modulus-11 check digit. */
export function isNhsValid(nhs: string): boolean {
  const digits = nhs.replace(/\s/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** Whether a US SSN (`AAA-GG-SSSS`) is in an issuable range: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function isSsnValid(ssn: string): boolean {
  const m = /^(\d{3})-?(\d{2})-?(\d{4})$/.exec(ssn);
  if (m === null) return false;
  const [, area, group, serial] = m as unknown as [string, string, string, string];
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const NI_FIRST = 'ABCEGHJKLMNOPRSTWXYZ';
const NI_SECOND = 'ABCEGHJKLMNPRSTWXYZ';
const NI_BANNED_PREFIXES: ReadonlySet<string> = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/** Letters allowed first and second in a UK National Insurance number prefix, and the prefixes never issued. */
export const NI_PREFIX_RULES = { first: NI_FIRST, second: NI_SECOND, banned: NI_BANNED_PREFIXES } as const;

/** Whether a UK National Insurance number (`AB123456C`, spaces allowed) follows HMRC's prefix and suffix rules. */
export function isNiValid(ni: string): boolean {
  const compact = ni.replace(/\s/g, '').toUpperCase();
  const m = /^([A-Z])([A-Z])\d{6}[A-D]$/.exec(compact);
  if (m === null) return false;
  const first = m[1] as string;
  const second = m[2] as string;
  return NI_FIRST.includes(first) && NI_SECOND.includes(second) && !NI_BANNED_PREFIXES.has(first + second);
}

/** Whether a PAN (`ABCPE1234F`) is an individual's: five letters with P fourth, four digits, a letter. */
export function isIndividualPan(pan: string): boolean {
  return /^[A-Z]{3}P[A-Z]\d{4}[A-Z]$/.test(pan);
}
