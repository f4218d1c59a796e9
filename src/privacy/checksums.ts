/**
 * Check-digit algorithms behind the DLP detectors, exported so test-data generators can plant
 * values that pass them. Inputs may contain single spaces or dashes between groups (as people
 * write them); any other non-digit character makes a `…Valid` function return false and a
 * `…CheckDigit` function throw, because a silently ignored letter would hide a caller's bug.
 */

const CODE_0 = 48;
const CODE_SPACE = 32;
const CODE_DASH = 45;

/** Digit values of `text` (spaces and dashes skipped), or null when another character occurs. */
function digitsOf(text: string): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = c - CODE_0;
    if (d >= 0 && d <= 9) out.push(d);
    else if (c !== CODE_SPACE && c !== CODE_DASH) return null;
  }
  return out;
}

function requireDigits(text: string, what: string): number[] {
  const digits = digitsOf(text);
  if (digits === null || digits.length === 0) throw new TypeError(`${what}: expected digits, got "${text}"`);
  return digits;
}

/**
 * Luhn (mod 10) check used by payment card numbers.
 *
 * @example
 * luhnValid('4111 1111 1111 1111'); // true
 * luhnValid('4111 1111 1111 1112'); // false
 */
export function luhnValid(number: string): boolean {
  let sum = 0;
  let count = 0;
  // Walk from the right so the doubled positions do not depend on the length.
  for (let i = number.length - 1; i >= 0; i--) {
    const c = number.charCodeAt(i);
    let d = c - CODE_0;
    if (d < 0 || d > 9) {
      if (c === CODE_SPACE || c === CODE_DASH) continue;
      return false;
    }
    if ((count & 1) === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    count++;
  }
  return count >= 2 && sum % 10 === 0;
}

/**
 * The Luhn digit to append to `partial` so the whole number passes {@link luhnValid}.
 *
 * @example
 * luhnCheckDigit('411111111111111'); // 1 → '4111111111111111' is valid
 */
export function luhnCheckDigit(partial: string): number {
  const digits = requireDigits(partial, 'luhnCheckDigit');
  let sum = 0;
  // The check digit will sit at position 0 from the right, so the last digit here is doubled.
  for (let i = digits.length - 1, k = 0; i >= 0; i--, k++) {
    let d = digits[i] as number;
    if ((k & 1) === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function digitTable(rows: readonly string[]): Uint8Array {
  return Uint8Array.from(rows.join(''), (ch) => ch.charCodeAt(0) - CODE_0);
}

/** Verhoeff's multiplication table (the dihedral group D5), one row per string. */
const VERHOEFF_D = digitTable([
  '0123456789',
  '1234067895',
  '2340178956',
  '3401289567',
  '4012395678',
  '5987604321',
  '6598710432',
  '7659821043',
  '8765932104',
  '9876543210',
]);
/**
 * Verhoeff's position permutation: row i applies the base permutation i times. Derived rather
 * than typed in, because a mistyped row still looks plausible and passes most test vectors.
 */
const VERHOEFF_P = (() => {
  const base = digitTable(['1576283094']);
  const table = new Uint8Array(80);
  for (let digit = 0; digit < 10; digit++) table[digit] = digit;
  for (let row = 1; row < 8; row++) {
    for (let digit = 0; digit < 10; digit++) table[row * 10 + digit] = base[table[(row - 1) * 10 + digit] as number] as number;
  }
  return table;
})();
const VERHOEFF_INV = Uint8Array.from([0, 4, 3, 2, 1, 5, 6, 7, 8, 9]);

/**
 * Verhoeff check used by Indian Aadhaar numbers (the 12th digit).
 *
 * @example
 * verhoeffValid('2363'); // true
 * verhoeffValid('2341 2341 2346'); // true
 */
export function verhoeffValid(number: string): boolean {
  let c = 0;
  let position = 0;
  for (let i = number.length - 1; i >= 0; i--) {
    const code = number.charCodeAt(i);
    const d = code - CODE_0;
    if (d < 0 || d > 9) {
      if (code === CODE_SPACE || code === CODE_DASH) continue;
      return false;
    }
    c = VERHOEFF_D[c * 10 + (VERHOEFF_P[(position & 7) * 10 + d] as number)] as number;
    position++;
  }
  return position >= 2 && c === 0;
}

/**
 * The Verhoeff digit to append to `partial` so the whole number passes {@link verhoeffValid}.
 *
 * @example
 * verhoeffCheckDigit('236'); // 3
 */
export function verhoeffCheckDigit(partial: string): number {
  const digits = requireDigits(partial, 'verhoeffCheckDigit');
  let c = 0;
  // Position 0 is reserved for the check digit itself, so the existing digits start at 1.
  for (let i = digits.length - 1, position = 1; i >= 0; i--, position++) {
    c = VERHOEFF_D[c * 10 + (VERHOEFF_P[(position & 7) * 10 + (digits[i] as number)] as number)] as number;
  }
  return VERHOEFF_INV[c] as number;
}

/**
 * The NHS number check digit (modulus 11, weights 10…2) for the first nine digits, or null when
 * the remainder makes it 10: such a nine-digit stem is never issued.
 *
 * @example
 * nhsCheckDigit('943476591'); // 9 → '943 476 5919'
 */
export function nhsCheckDigit(firstNine: string): number | null {
  const digits = requireDigits(firstNine, 'nhsCheckDigit');
  if (digits.length !== 9) throw new TypeError(`nhsCheckDigit: expected 9 digits, got ${digits.length}`);
  return nhsCheckOf(digits);
}

function nhsCheckOf(digits: readonly number[]): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits[i] as number) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return null;
  return check === 11 ? 0 : check;
}

/**
 * Whether a ten-digit NHS number (optionally spaced 3-3-4) has the right check digit.
 *
 * @example
 * nhsValid('943 476 5919'); // true
 */
export function nhsValid(number: string): boolean {
  const digits = digitsOf(number);
  if (digits === null || digits.length !== 10) return false;
  return nhsCheckOf(digits) === digits[9];
}

/**
 * IBAN lengths per country (ISO 13616 registry). Only these countries are accepted: an
 * unknown prefix is far likelier to be an ordinary code than an IBAN.
 */
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 FI18 FO18 FR27 GB22 ' +
    'GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 ' +
    'MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SD18 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 ' +
    'UA29 VA22 VG24 XK20'
  )
    .split(' ')
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/**
 * The IBAN length for a country code, or undefined when the country is not in the registry
 * table the detector uses.
 *
 * @example
 * ibanLength('GB'); // 22
 */
export function ibanLength(countryCode: string): number | undefined {
  return IBAN_LENGTHS.get(countryCode.toUpperCase());
}

/** ISO 7064 mod 97-10 remainder of `text` read from `from` (wrapping), letters as 10–35; -1 if invalid. */
function mod97(text: string, from: number): number {
  let remainder = 0;
  const n = text.length;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt((from + k) % n);
    if (c >= 48 && c <= 57) remainder = (remainder * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) remainder = (remainder * 100 + (c - 55)) % 97;
    else if (c >= 97 && c <= 122) remainder = (remainder * 100 + (c - 87)) % 97;
    else return -1;
  }
  return remainder;
}

/**
 * Whether `iban` is a valid IBAN: a known country, that country's length, and an ISO 7064
 * mod-97 remainder of 1. Spaces are ignored.
 *
 * @example
 * ibanValid('GB82 WEST 1234 5698 7654 32'); // true
 * ibanValid('GB82 WEST 1234 5698 7654 33'); // false
 */
export function ibanValid(iban: string): boolean {
  const compact = iban.includes(' ') ? iban.replaceAll(' ', '') : iban;
  if (compact.length < 5) return false;
  const expected = IBAN_LENGTHS.get(compact.slice(0, 2).toUpperCase());
  if (expected === undefined || compact.length !== expected) return false;
  const c2 = compact.charCodeAt(2);
  const c3 = compact.charCodeAt(3);
  if (c2 < 48 || c2 > 57 || c3 < 48 || c3 > 57) return false;
  // The check reads the number with the country code and check digits moved to the end.
  return mod97(compact, 4) === 1;
}

/**
 * The two check digits that make `countryCode + digits + bban` a valid IBAN.
 *
 * @example
 * ibanCheckDigits('DE', '370400440532013000'); // '89'
 */
export function ibanCheckDigits(countryCode: string, bban: string): string {
  const probe = `${bban.replaceAll(' ', '')}${countryCode.toUpperCase()}00`;
  const remainder = mod97(probe, 0);
  if (remainder < 0 || !/^[A-Za-z]{2}$/.test(countryCode)) {
    throw new TypeError(`ibanCheckDigits: expected a two-letter country and an alphanumeric BBAN, got "${countryCode}", "${bban}"`);
  }
  return String(98 - remainder).padStart(2, '0');
}
