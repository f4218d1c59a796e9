import { ErrorTypes } from '../../src/core/error-row.js';
import type { StepFn } from '../../src/core/step.js';
import type { ClaimMessage, EnrichedClaim, HashedClaim, ValidClaim } from './claim-schema.js';
import { fraudRiskScore, HIGH_RISK_THRESHOLD } from './fraud-score.js';
import { type ClaimHistory, InMemoryClaimHistory } from './history.js';
import { validateClaim } from './validate.js';

const DAY_MS = 86_400_000;
/** Hex digits of the patient hash kept as the history key: 64 bits, collisions negligible, a quarter of the memory. */
const PATIENT_KEY_HEX = 16;

/**
 * Stage 1, "Parse JSON": malformed JSON and JSON that is not an object become `invalid_json` error
 * rows. The message is fixed (no parser position) so the seed's `GROUP BY error` counts them as one
 * kind. A usable `claim_id` becomes the envelope id: the idempotency key of every later sink, so a
 * claim sent twice under different message ids is stored once.
 */
export const parseClaim: StepFn<string, ClaimMessage> = (payload, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return ctx.reject(ErrorTypes.invalidJson, 'payload is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return ctx.reject(ErrorTypes.invalidJson, 'payload is JSON but not an object');
  }
  const id = (value as ClaimMessage).claim_id;
  if (typeof id === 'string' && id.trim() !== '') ctx.setId(id.trim());
  return value as ClaimMessage;
};

/** Stage 2, "Validate Claims": see {@link validateClaim} for the rules and error types. */
export const validateClaimStep: StepFn<ClaimMessage, ValidClaim> = (record, ctx) => {
  const result = validateClaim(record);
  return result.ok ? result.claim : ctx.reject(result.errorType, result.message);
};

/**
 * Replaces the patient id by its keyed hash. The raw id is not copied anywhere: it dies with the
 * validated object, before any table, feature state or log sees the claim.
 */
export function hashClaimPii(hash: (value: string) => string): StepFn<ValidClaim, HashedClaim> {
  return (c) => ({
    claim_id: c.claim_id,
    patient_id_hash: hash(c.patient_id),
    patient_age: c.patient_age,
    patient_gender: c.patient_gender,
    provider_id: c.provider_id,
    provider_specialty: c.provider_specialty,
    provider_region: c.provider_region,
    procedure_code: c.procedure_code,
    diagnosis_code: c.diagnosis_code,
    claim_type: c.claim_type,
    claim_amount: c.claim_amount,
    service_date: c.service_date,
    service_day: c.service_day,
    submission_date: c.submission_date,
  });
}

export interface EnrichOptions {
  /** Where the history features are kept. Default: a fresh {@link InMemoryClaimHistory}. */
  readonly history?: ClaimHistory;
}

/**
 * Stage 3, "Enrich with Features": `days_to_submission`, `fraud_risk_score` (see fraud-score.ts),
 * `high_risk_flag` (score > 0.5), `risk_factors`, `processing_timestamp`, and the partition column
 * `day`. Stateful: each call of this factory owns its history, so build one per run (the pipeline
 * does) and feed it claims in input order — see history.ts for what that state survives.
 *
 * @example
 * pipeline.step('enrich', enrichClaims())
 */
export function enrichClaims(options: EnrichOptions = {}): StepFn<HashedClaim, EnrichedClaim> {
  const history = options.history ?? new InMemoryClaimHistory();
  let cachedDay = Number.NaN;
  let cachedDayText = '';
  return (claim, ctx) => {
    const submissionDay = Math.floor(claim.submission_date / DAY_MS);
    const daysToSubmission = submissionDay - claim.service_day;
    const logAmount = Math.log(claim.claim_amount + 1);
    const reading = history.observe({
      claimId: claim.claim_id,
      providerId: claim.provider_id,
      procedure: claim.procedure_code,
      regionProcedure: `${claim.provider_region}|${claim.procedure_code}`,
      patientKey: claim.patient_id_hash.slice(0, PATIENT_KEY_HEX),
      serviceDay: claim.service_day,
      logAmount,
    });
    const risk = fraudRiskScore({
      logAmount,
      regionProcedure: reading.regionProcedure,
      procedure: reading.procedure,
      providerDeviation: reading.providerDeviation,
      providerPriorClaims: reading.providerPriorClaims,
      patientClaimsThatDay: reading.patientClaimsThatDay,
      daysToSubmission,
      // 1970-01-01 was a Thursday (weekday 4).
      serviceWeekday: (((claim.service_day + 4) % 7) + 7) % 7,
      specialty: claim.provider_specialty,
    });
    if (submissionDay !== cachedDay) {
      cachedDay = submissionDay;
      cachedDayText = new Date(submissionDay * DAY_MS).toISOString().slice(0, 10);
    }
    return {
      claim_id: claim.claim_id,
      patient_id_hash: claim.patient_id_hash,
      patient_age: claim.patient_age,
      patient_gender: claim.patient_gender,
      provider_id: claim.provider_id,
      provider_specialty: claim.provider_specialty,
      provider_region: claim.provider_region,
      procedure_code: claim.procedure_code,
      diagnosis_code: claim.diagnosis_code,
      claim_type: claim.claim_type,
      claim_amount: claim.claim_amount,
      service_date: claim.service_date,
      service_day: claim.service_day,
      submission_date: claim.submission_date,
      days_to_submission: daysToSubmission,
      fraud_risk_score: risk.score,
      high_risk_flag: risk.score > HIGH_RISK_THRESHOLD,
      risk_factors: risk.factors,
      processing_timestamp: ctx.now,
      day: cachedDayText,
    };
  };
}
