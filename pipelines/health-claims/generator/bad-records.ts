import { ErrorTypes } from '../../../src/core/error-row.js';
import { type Random, WeightedChoices } from '../../../src/generate/random.js';
import { type ClaimJson, renderClaim } from './claim-json.js';

/**
 * The ways a `claims-ingest` message goes wrong in production, each guaranteed to fail the
 * pipeline's parse or validate step (the generator test checks every one). Most keep the raw
 * patient id in the payload — truncated JSON included — because error rows and dead letters are
 * where unhashed personal data hides.
 */
export type ClaimBadReason =
  | 'truncated_json'
  | 'trailing_garbage'
  | 'not_json'
  | 'missing_claim_id'
  | 'null_patient_id'
  | 'missing_provider_id'
  | 'missing_amount'
  | 'amount_string'
  | 'negative_amount'
  | 'amount_too_large'
  | 'age_negative'
  | 'age_too_old'
  | 'age_string'
  | 'bad_service_date'
  | 'missing_service_date'
  | 'bad_submission_date'
  | 'service_after_submission';

/** The error type the pipeline must give each corruption. */
export const BAD_REASON_ERROR_TYPES: Readonly<Record<ClaimBadReason, string>> = {
  truncated_json: ErrorTypes.invalidJson,
  trailing_garbage: ErrorTypes.invalidJson,
  not_json: ErrorTypes.invalidJson,
  missing_claim_id: ErrorTypes.missingField,
  null_patient_id: ErrorTypes.missingField,
  missing_provider_id: ErrorTypes.missingField,
  missing_amount: ErrorTypes.missingField,
  amount_string: ErrorTypes.wrongType,
  negative_amount: ErrorTypes.validation,
  amount_too_large: ErrorTypes.validation,
  age_negative: ErrorTypes.validation,
  age_too_old: ErrorTypes.validation,
  age_string: ErrorTypes.wrongType,
  bad_service_date: ErrorTypes.badTimestamp,
  missing_service_date: ErrorTypes.missingField,
  bad_submission_date: ErrorTypes.badTimestamp,
  service_after_submission: ErrorTypes.validation,
};

/** Relative frequency of each corruption among bad lines that are not duplicates. */
export const CLAIM_BAD_REASON_CHOICES = new WeightedChoices<ClaimBadReason>([
  ['truncated_json', 14],
  ['trailing_garbage', 6],
  ['not_json', 4],
  ['missing_claim_id', 5],
  ['null_patient_id', 5],
  ['missing_provider_id', 4],
  ['missing_amount', 5],
  ['amount_string', 7],
  ['negative_amount', 5],
  ['amount_too_large', 5],
  ['age_negative', 3],
  ['age_too_old', 5],
  ['age_string', 4],
  ['bad_service_date', 8],
  ['missing_service_date', 3],
  ['bad_submission_date', 5],
  ['service_after_submission', 8],
]);

const BAD_SERVICE_DATES = ['"2026-02-30"', '"10/28/2026"', '"N/A"', '"2026-13-01"', '"yesterday"'];
const BAD_SUBMISSION_DATES = ['"2026-11-31T10:00:00Z"', '"31/10/2026 10:00"', '"not-a-date"', '"2026-11-01T25:00:00Z"'];
const TRAILING_GARBAGE = ['}', ',', ' x', ']]', ';', '{"claim_id":"'];

/** Plain values of the claim, for corruptions that rewrite the whole line. */
export interface ClaimFacts {
  readonly claimId: string;
  readonly patientId: string;
  readonly age: number;
  readonly providerId: string;
  readonly procedureCode: string;
  readonly amount: number;
  readonly serviceDate: string;
  readonly submissionDay: number;
  readonly submittedAt: string;
}

function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Corrupts a well-formed claim in the given way and returns the bad line. `json` is modified.
 * Draws from `rng` only where the corruption needs a choice.
 */
export function corruptClaim(rng: Random, reason: ClaimBadReason, json: ClaimJson, facts: ClaimFacts): string {
  switch (reason) {
    case 'truncated_json': {
      const line = renderClaim(json);
      // Cut after the patient id, so the raw id stays in the payload.
      const anchor = line.indexOf('"patient_age"');
      return line.slice(0, rng.int(anchor > 0 ? anchor : 20, line.length - 2));
    }
    case 'trailing_garbage':
      return renderClaim(json) + rng.pick(TRAILING_GARBAGE);
    case 'not_json':
      if (rng.chance(0.5)) {
        // A Python dict's str(): what a hurried producer script publishes.
        return `{'claim_id': '${facts.claimId}', 'patient_id': '${facts.patientId}', 'patient_age': ${facts.age}, 'provider_id': '${facts.providerId}', 'claim_amount': ${facts.amount}, 'service_date': '${facts.serviceDate}'}`;
      }
      // A CSV row sent to a JSON topic.
      return [facts.claimId, facts.patientId, facts.age, facts.providerId, facts.procedureCode, facts.amount, facts.serviceDate, facts.submittedAt].join(',');
    case 'missing_claim_id':
      json.claim_id = undefined;
      break;
    case 'null_patient_id':
      json.patient_id = 'null';
      break;
    case 'missing_provider_id':
      json.provider_id = undefined;
      break;
    case 'missing_amount':
      json.claim_amount = undefined;
      break;
    case 'amount_string':
      // "$1,234.50": toFixed and a regex rather than toLocaleString, whose output depends on ICU data.
      json.claim_amount = `"$${facts.amount.toFixed(2).replace(/\B(?=(\d{3})+\.)/g, ',')}"`;
      break;
    case 'negative_amount':
      // A reversal sent on the claims topic.
      json.claim_amount = String(-facts.amount || -1);
      break;
    case 'amount_too_large':
      json.claim_amount = String(Math.round(rng.uniform(1_000_001, 25_000_000) * 100) / 100);
      break;
    case 'age_negative':
      json.patient_age = String(-rng.int(1, 5));
      break;
    case 'age_too_old':
      // A birth year typed into the age field, or a plain typo.
      json.patient_age = String(rng.chance(0.5) ? 2026 - facts.age : rng.int(151, 999));
      break;
    case 'age_string':
      json.patient_age = `"${facts.age}"`;
      break;
    case 'bad_service_date':
      json.service_date = rng.pick(BAD_SERVICE_DATES);
      break;
    case 'missing_service_date':
      json.service_date = undefined;
      break;
    case 'bad_submission_date':
      json.submission_date = rng.pick(BAD_SUBMISSION_DATES);
      break;
    case 'service_after_submission':
      json.service_date = `"${dayText(facts.submissionDay + rng.int(1, 30))}"`;
      break;
  }
  return renderClaim(json);
}
