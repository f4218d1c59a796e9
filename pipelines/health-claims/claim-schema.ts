/**
 * The shapes a claim takes on its way through the health-claims pipeline (seed 002):
 * the `claims-ingest` message as producers send it, the validated claim, the claim with its
 * patient id hashed, and the enriched row of `claims_events_stream`.
 */

/** The input topic. */
export const CLAIMS_TOPIC = 'claims-ingest';

/** Where every error row is also published. */
export const CLAIMS_DLQ_TOPIC = 'claims-dlq';

/** Personal identifiers in a claim: hashed before anything is stored, masked in raw payloads. */
export const CLAIM_PII_FIELDS = ['patient_id'] as const;

/** The patient id format, masked wherever it turns up in payloads that are not JSON (CSV, Python dicts). */
export const PATIENT_ID = { name: 'PATIENT_ID', pattern: /\bPAT-\d{7}\b/g } as const;

/** Inclusive bounds of the seed's range checks. */
export const CLAIM_AMOUNT_MAX = 1_000_000;
export const PATIENT_AGE_MAX = 150;

/**
 * A `claims-ingest` message, e.g.
 * `{"claim_id":"CLM-2026-0000001","patient_id":"PAT-1234567","patient_age":54,"patient_gender":"F",
 * "provider_id":"PRV-10042","provider_specialty":"cardiology","provider_region":"west",
 * "procedure_code":"93306","diagnosis_code":"I48.91","claim_type":"professional",
 * "claim_amount":642.18,"service_date":"2026-10-28","submission_date":"2026-11-01T08:15:22.000Z"}`.
 * The fields in {@link REQUIRED_CLAIM_FIELDS} are required, the others may be absent or null; unknown
 * fields are dropped.
 */
export interface ClaimMessage {
  readonly claim_id?: unknown;
  readonly patient_id?: unknown;
  readonly patient_age?: unknown;
  readonly patient_gender?: unknown;
  readonly provider_id?: unknown;
  readonly provider_specialty?: unknown;
  readonly provider_region?: unknown;
  readonly procedure_code?: unknown;
  readonly diagnosis_code?: unknown;
  readonly claim_type?: unknown;
  readonly claim_amount?: unknown;
  readonly service_date?: unknown;
  readonly submission_date?: unknown;
}

/** Fields a claim cannot be processed without (the seed's "required fields present"). */
export const REQUIRED_CLAIM_FIELDS = [
  'claim_id',
  'patient_id',
  'patient_age',
  'provider_id',
  'provider_region',
  'procedure_code',
  'claim_amount',
  'service_date',
  'submission_date',
] as const;

/** A claim that passed validation. Dates are parsed; the raw patient id is still present. */
export interface ValidClaim {
  claim_id: string;
  patient_id: string;
  patient_age: number;
  patient_gender: string | null;
  provider_id: string;
  provider_specialty: string | null;
  provider_region: string;
  procedure_code: string;
  diagnosis_code: string | null;
  claim_type: string | null;
  claim_amount: number;
  /** `YYYY-MM-DD` (UTC day of the service). */
  service_date: string;
  /** Days since 1970-01-01 of `service_date`. */
  service_day: number;
  /** Epoch ms. */
  submission_date: number;
}

/** A valid claim after the hashPii step: the raw patient id is gone. */
export interface HashedClaim extends Omit<ValidClaim, 'patient_id'> {
  /** Keyed HMAC-SHA-256 of the patient id, lowercase hex. */
  patient_id_hash: string;
}

/** A row of `claims_events_stream`. */
export interface EnrichedClaim extends HashedClaim {
  /** Whole UTC days between the service date and the submission date (≥ 0). */
  days_to_submission: number;
  /** 0–1, see `fraud-score.ts` for the heuristics. */
  fraud_risk_score: number;
  /** `fraud_risk_score > 0.5`. */
  high_risk_flag: boolean;
  /** The heuristics that contributed to the score, strongest first. */
  risk_factors: string[];
  /** When Sluice processed the claim, epoch ms. */
  processing_timestamp: number;
  /** The partition column: the UTC day of `submission_date`, `YYYY-MM-DD`. */
  day: string;
}
