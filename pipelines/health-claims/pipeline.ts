import { pipeline } from '../../src/core/pipeline.js';
import { createPayloadRedactor } from '../../src/privacy/redact-payload.js';
import { CLAIM_PII_FIELDS, CLAIMS_DLQ_TOPIC, CLAIMS_TOPIC, PATIENT_ID } from './claim-schema.js';
import type { ClaimHistory } from './history.js';
import { enrichClaims, hashClaimPii, parseClaim, validateClaimStep } from './steps.js';
import { claimsEventsStream, processingErrors } from './tables.js';

export interface HealthClaimsOptions {
  /** The keyed PII hash (see `piiHasherFromEnv`). */
  readonly hash: (value: string) => string;
  /** Where the fraud features' history is kept. Default: in memory, fresh for this pipeline object. */
  readonly history?: ClaimHistory;
}

/**
 * Seed 002: claims-ingest → parse → validate → hash patient id → enrich (days_to_submission,
 * fraud_risk_score, high_risk_flag, processing_timestamp) → claims_events_stream. Failures →
 * processing_errors and claims-dlq, with raw payloads redacted.
 *
 * Each call builds a pipeline with its own feature history, so build one per run.
 *
 * @example
 * const p = healthClaimsPipeline({ hash: piiHasherFromEnv().hash });
 * await runBatch(p, { source: new JsonLinesSource('claims.jsonl'), warehouse });
 */
export function healthClaimsPipeline(options: HealthClaimsOptions) {
  const redact = createPayloadRedactor({ piiFields: CLAIM_PII_FIELDS, hash: options.hash, customInfoTypes: [PATIENT_ID] });
  return pipeline<string>({
    name: 'health-claims',
    description: 'Healthcare claims: validation, patient id hashing, fraud risk features (seed 002)',
    input: CLAIMS_TOPIC,
    errorTable: processingErrors,
    deadLetterTopic: CLAIMS_DLQ_TOPIC,
    keyFields: ['claim_id'],
    eventTimeField: 'submission_date',
    redactRawPayload: redact,
    redactErrorMessage: redact.maskText,
  })
    // Parsing, validation and hashing look at one claim at a time (step threads may run them);
    // enrichment keeps per-provider and per-patient history, so it runs in input order on the main thread.
    .step('parse', parseClaim, { stateless: true })
    .step('validate', validateClaimStep, { stateless: true })
    .step('hashPii', hashClaimPii(options.hash), { stateless: true })
    .step('enrich', enrichClaims(options.history !== undefined ? { history: options.history } : {}))
    .write(claimsEventsStream);
}
