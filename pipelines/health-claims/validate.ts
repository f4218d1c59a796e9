import { ErrorTypes } from '../../src/core/error-row.js';
import { parseTimestamp } from '../../src/core/timestamps.js';
import { CLAIM_AMOUNT_MAX, type ClaimMessage, PATIENT_AGE_MAX, REQUIRED_CLAIM_FIELDS, type ValidClaim } from './claim-schema.js';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The verdict on one claim, zod's `safeParse` habit: a value, never a throw. A failure names the
 * field and the rule, never the value (values may be personal data), and its message is the same
 * for every claim failing the same rule, so the seed's `GROUP BY error` groups them.
 */
export type ClaimValidation = { readonly ok: true; readonly claim: ValidClaim } | { readonly ok: false; readonly errorType: string; readonly message: string };

const fail = (errorType: string, message: string): ClaimValidation => ({ ok: false, errorType, message });

function typeName(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** A required field is missing when absent, null, or a blank string. */
function isMissing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function optionalText(record: ClaimMessage, field: keyof ClaimMessage): string | null | ClaimValidation {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return fail(ErrorTypes.wrongType, `${field} is not text (got ${typeName(value)})`);
  const text = value.trim();
  return text === '' ? null : text;
}

/**
 * Checks one parsed `claims-ingest` message against the seed's rules, in this order, and reports
 * the first broken one. Messages read `<field> <problem>` — never `field: value`, the shape payload
 * redaction treats as a personal value — and never quote the value:
 * 1. required fields present (`missing_field`), text fields are text and numbers numbers (`wrong_type`);
 * 2. `claim_amount` between 0 and 1,000,000 inclusive (`validation_failed`);
 * 3. `patient_age` a whole number between 0 and 150 inclusive (`validation_failed`);
 * 4. `service_date` and `submission_date` parse as real dates (`bad_timestamp`): the service date
 *    as `YYYY-MM-DD` (or an ISO date-time, whose UTC day is taken), the submission date as ISO
 *    8601 text or epoch milliseconds;
 * 5. the service date is not after the submission date's UTC day (`validation_failed`).
 *
 * @example
 * const v = validateClaim(JSON.parse(line));
 * if (!v.ok) return ctx.reject(v.errorType, v.message);
 */
export function validateClaim(record: ClaimMessage): ClaimValidation {
  for (const field of REQUIRED_CLAIM_FIELDS) {
    if (isMissing(record[field])) return fail(ErrorTypes.missingField, `required field ${field} is missing`);
  }
  for (const field of ['claim_id', 'patient_id', 'provider_id', 'provider_region', 'procedure_code'] as const) {
    const value = record[field];
    if (typeof value !== 'string') return fail(ErrorTypes.wrongType, `${field} is not text (got ${typeName(value)})`);
  }
  const amount = record.claim_amount;
  if (typeof amount !== 'number') return fail(ErrorTypes.wrongType, `claim_amount is not a number (got ${typeName(amount)})`);
  const age = record.patient_age;
  if (typeof age !== 'number') return fail(ErrorTypes.wrongType, `patient_age is not a number (got ${typeName(age)})`);
  const optional: Record<string, string | null> = {};
  for (const field of ['patient_gender', 'provider_specialty', 'diagnosis_code', 'claim_type'] as const) {
    const text = optionalText(record, field);
    if (text !== null && typeof text === 'object') return text;
    optional[field] = text;
  }

  if (!(amount >= 0 && amount <= CLAIM_AMOUNT_MAX)) {
    return fail(ErrorTypes.validation, `claim_amount is outside 0 to ${CLAIM_AMOUNT_MAX.toLocaleString('en-US')}`);
  }
  if (!(Number.isInteger(age) && age >= 0 && age <= PATIENT_AGE_MAX)) {
    return fail(ErrorTypes.validation, `patient_age is not a whole number from 0 to ${PATIENT_AGE_MAX}`);
  }

  const serviceText = record.service_date;
  if (typeof serviceText !== 'string') return fail(ErrorTypes.wrongType, `service_date is not a date string (got ${typeName(serviceText)})`);
  const serviceMs = parseTimestamp(serviceText);
  if (serviceMs === null) return fail(ErrorTypes.badTimestamp, 'service_date is not a valid date (expected YYYY-MM-DD)');
  const submission = record.submission_date;
  if (typeof submission !== 'string' && typeof submission !== 'number') {
    return fail(ErrorTypes.wrongType, `submission_date is not a timestamp (got ${typeName(submission)})`);
  }
  const submissionMs = parseTimestamp(submission);
  if (submissionMs === null) return fail(ErrorTypes.badTimestamp, 'submission_date is not a valid timestamp (expected ISO 8601)');
  const serviceDay = Math.floor(serviceMs / DAY_MS);
  if (serviceDay > Math.floor(submissionMs / DAY_MS)) {
    return fail(ErrorTypes.validation, 'service_date is after submission_date');
  }

  const trimmed = serviceText.trim();
  return {
    ok: true,
    claim: {
      claim_id: (record.claim_id as string).trim(),
      patient_id: (record.patient_id as string).trim(),
      patient_age: age,
      patient_gender: optional.patient_gender ?? null,
      provider_id: (record.provider_id as string).trim(),
      provider_specialty: optional.provider_specialty ?? null,
      provider_region: (record.provider_region as string).trim(),
      procedure_code: (record.procedure_code as string).trim(),
      diagnosis_code: optional.diagnosis_code ?? null,
      claim_type: optional.claim_type ?? null,
      claim_amount: amount,
      service_date: DATE_ONLY.test(trimmed) ? trimmed : new Date(serviceDay * DAY_MS).toISOString().slice(0, 10),
      service_day: serviceDay,
      submission_date: submissionMs,
    },
  };
}
