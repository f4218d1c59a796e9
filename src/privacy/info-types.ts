/**
 * The info types the built-in DLP detectors find, named as in Google Cloud DLP so findings and
 * alert rules read the same as on the seed systems.
 *
 * @example
 * for (const type of INFO_TYPES) counts.set(type, 0);
 */
export const INFO_TYPES = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD_NUMBER',
  'IBAN_CODE',
  'IP_ADDRESS',
  'INDIA_AADHAAR',
  'INDIA_PAN',
  'US_SOCIAL_SECURITY_NUMBER',
  'UK_NHS_NUMBER',
  'UK_NATIONAL_INSURANCE_NUMBER',
] as const;

/**
 * One info type, e.g. `'CREDIT_CARD_NUMBER'`.
 *
 * @example
 * const wanted: InfoType[] = ['EMAIL_ADDRESS', 'PHONE_NUMBER'];
 */
export type InfoType = (typeof INFO_TYPES)[number];

/**
 * One piece of personal data found in a text: `text.slice(start, end)` is the matched value.
 * Offsets are UTF-16 code units (JavaScript string indices); `end` is exclusive.
 *
 * @example
 * // dlpScan('mail a.b@example.com') → [{ type: 'EMAIL_ADDRESS', start: 5, end: 20 }]
 */
export interface DlpFinding {
  readonly type: InfoType;
  readonly start: number;
  readonly end: number;
}

/**
 * Whether `value` names a built-in info type (for validating flags and config).
 *
 * @example
 * isInfoType('IBAN_CODE'); // true
 */
export function isInfoType(value: string): value is InfoType {
  return (INFO_TYPES as readonly string[]).includes(value);
}
