import type { PipelineDefinition } from '../../src/core/pipeline-definition.js';
import { CLAIMS_TOPIC } from './claim-schema.js';
import { healthClaimsPipeline } from './pipeline.js';

/**
 * The health-claims pipeline as the CLI knows it (`sluice run health-claims`, `sluice demo health-claims`).
 *
 * @example
 * const p = healthClaimsDefinition.build({ hash: piiHasherFromEnv().hash, env: process.env });
 */
export const healthClaimsDefinition: PipelineDefinition = {
  name: 'health-claims',
  description: 'Healthcare claims: parse, validate, hash patient ids, fraud risk features → claims_events_stream (seed 002)',
  input: CLAIMS_TOPIC,
  build: (context) => healthClaimsPipeline({ hash: context.hash }),
  summaryQueries: [
    {
      title: 'claims by fraud risk band',
      sql: `SELECT CASE WHEN fraud_risk_score > 0.5 THEN 'high (> 0.5)' WHEN fraud_risk_score >= 0.25 THEN 'medium (0.25–0.5)' ELSE 'low (< 0.25)' END AS band,
  count(*) AS claims, round(avg(claim_amount), 2) AS avg_amount
FROM claims_events_stream GROUP BY band ORDER BY min(fraud_risk_score) DESC`,
    },
    {
      title: 'risk factors of high-risk claims',
      sql: `SELECT factor, count(*) AS claims FROM (SELECT unnest(risk_factors) AS factor FROM claims_events_stream WHERE high_risk_flag) GROUP BY factor ORDER BY claims DESC, factor`,
    },
  ],
};
