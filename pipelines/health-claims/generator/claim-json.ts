/**
 * A claim as JSON fragments, field by field: each value is the JSON text to write (`"PAT-1234567"`,
 * `54`, `null`), or undefined to leave the field out. Corruptions edit fragments; rendering keeps
 * the producer's field order.
 */
export const CLAIM_FIELDS = [
  'claim_id',
  'patient_id',
  'patient_age',
  'patient_gender',
  'provider_id',
  'provider_specialty',
  'provider_region',
  'procedure_code',
  'diagnosis_code',
  'claim_type',
  'claim_amount',
  'service_date',
  'submission_date',
] as const;

export type ClaimField = (typeof CLAIM_FIELDS)[number];

export type ClaimJson = { [F in ClaimField]?: string | undefined };

/** Renders fragments as one JSON line. */
export function renderClaim(json: ClaimJson): string {
  let out = '{';
  for (const field of CLAIM_FIELDS) {
    const value = json[field];
    if (value === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}"${field}":${value}`;
  }
  return `${out}}`;
}
