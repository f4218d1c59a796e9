import type { GeneratorOptions, PipelineGenerator } from '../../../src/generate/generator.js';
import { CLAIMS_TOPIC } from '../claim-schema.js';
import { generateClaims } from './claims.js';

export { BAD_REASON_ERROR_TYPES, type ClaimBadReason } from './bad-records.js';
export { type ClaimLine, type FraudPattern, generateClaims } from './claims.js';

/**
 * Test data for the health-claims pipeline (seed 002): claims from patients and providers across
 * five US regions and fourteen specialties, with planted fraud (marked on each line as `fraud`,
 * never in the payload) and bad records.
 *
 * @example
 * for (const item of healthClaimsGenerator.generate({ count: 10_000, seed: 7, badRate: 0.05 })) write(item.line);
 */
export const healthClaimsGenerator: PipelineGenerator = {
  pipeline: 'health-claims',
  topics: [CLAIMS_TOPIC],
  describe: 'Healthcare claims (14 specialties, heavy-tailed amounts, planted fraud patterns, bad records)',
  generate: (options: GeneratorOptions) => ({ [Symbol.iterator]: () => generateClaims(options) }),
};
