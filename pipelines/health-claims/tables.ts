import { errorTable } from '../../src/core/error-row.js';
import { defineTable } from '../../src/core/schema.js';

/**
 * The seed's `aetna.claims_events_stream`: valid claims with their features, partitioned by day.
 * The key `_id` is the claim id, so a redelivered claim is stored once. `patient_id` of the seed
 * is stored only as `patient_id_hash` (keyed HMAC-SHA-256).
 */
export const claimsEventsStream = defineTable({
  name: 'claims_events_stream',
  partitionBy: 'day',
  description: 'Validated claims with days_to_submission and fraud risk features; partitioned by the UTC day of submission_date.',
  columns: [
    { name: 'claim_id', type: 'string', nullable: false, cardinality: 'high' },
    { name: 'patient_id_hash', type: 'string', nullable: false, cardinality: 'high' },
    { name: 'patient_age', type: 'integer', nullable: false },
    { name: 'patient_gender', type: 'string', cardinality: 'low' },
    { name: 'provider_id', type: 'string', nullable: false },
    { name: 'provider_specialty', type: 'string', cardinality: 'low' },
    { name: 'provider_region', type: 'string', nullable: false, cardinality: 'low' },
    { name: 'procedure_code', type: 'string', nullable: false },
    { name: 'diagnosis_code', type: 'string' },
    { name: 'claim_type', type: 'string', cardinality: 'low' },
    { name: 'claim_amount', type: 'double', nullable: false },
    { name: 'service_date', type: 'date', nullable: false },
    { name: 'submission_date', type: 'timestamp', nullable: false },
    { name: 'days_to_submission', type: 'integer', nullable: false },
    { name: 'fraud_risk_score', type: 'double', nullable: false },
    { name: 'high_risk_flag', type: 'boolean', nullable: false },
    { name: 'risk_factors', type: 'string[]' },
    { name: 'processing_timestamp', type: 'timestamp', nullable: false },
    { name: 'day', type: 'date', nullable: false, description: 'UTC day of submission_date: the partition column' },
  ],
});

/**
 * The seed's `aetna.processing_errors`: one row per failed claim, with `error` (the message),
 * `error_timestamp`, the claim id where it could be read, and the raw payload with the patient id
 * hashed and identifiers masked.
 */
export const processingErrors = errorTable('processing_errors', [{ name: 'claim_id', type: 'string', cardinality: 'high' }], { errorColumn: 'error' });
