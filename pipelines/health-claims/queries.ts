/**
 * The seed README's three example queries, in DuckDB's dialect. Differences from the BigQuery
 * originals: table names lose the project and dataset; `patient_id` is `patient_id_hash` (the raw
 * id is never stored); `DATE(ts) = CURRENT_DATE()` becomes a comparison with today's UTC date,
 * because timestamps are stored as UTC wall time and DuckDB's `current_date` follows the session
 * time zone.
 */
export const SEED_QUERIES = Object.freeze({
  recentClaims: `SELECT
  claim_id,
  patient_id_hash,
  provider_id,
  claim_amount,
  fraud_risk_score,
  high_risk_flag,
  processing_timestamp
FROM claims_events_stream
WHERE CAST(processing_timestamp AS DATE) = CAST(now() AT TIME ZONE 'UTC' AS DATE)
ORDER BY processing_timestamp DESC
LIMIT 100`,
  highRiskClaims: `SELECT
  claim_id,
  claim_amount,
  fraud_risk_score,
  provider_region
FROM claims_events_stream
WHERE high_risk_flag = TRUE
ORDER BY fraud_risk_score DESC`,
  errorAnalysis: `SELECT
  error,
  COUNT(*) AS error_count
FROM processing_errors
WHERE CAST(error_timestamp AS DATE) = CAST(now() AT TIME ZONE 'UTC' AS DATE)
GROUP BY error
ORDER BY error_count DESC`,
});

export type SeedQueryName = keyof typeof SEED_QUERIES;
