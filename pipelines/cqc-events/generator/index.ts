import type { GeneratorOptions, PipelineGenerator } from '../../../src/generate/generator.js';
import { CQC_TOPIC, generateCqcEvents } from './events.js';

export { BAD_REASON_ERROR_TYPE, type BadReason } from './bad-records.js';
export { CQC_DEFAULT_EVENTS_PER_SECOND, CQC_TOPIC, generateCqcEvents } from './events.js';

/**
 * Test data for the cqc-events pipeline (seeds 003/004): dashboard events of all five types for a
 * pool of CQC locations on `dashboard-events`, with bad records, duplicates, late and out-of-order
 * events.
 *
 * @example
 * for (const item of cqcEventsGenerator.generate({ count: 10_000, seed: 7, badRate: 0.05 })) write(item.topic, item.line);
 */
export const cqcEventsGenerator: PipelineGenerator = {
  pipeline: 'cqc-events',
  topics: [CQC_TOPIC],
  describe: 'CQC dashboard events (5 types, evolving ratings and bed occupancy, bad records, duplicates, late events)',
  generate: (options: GeneratorOptions) => ({ [Symbol.iterator]: () => generateCqcEvents(options) }),
};
