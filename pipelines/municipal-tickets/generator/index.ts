import type { GeneratorOptions, PipelineGenerator, ReferenceFile } from '../../../src/generate/generator.js';
import { generateTickets, STATUS_TOPIC, TICKETS_TOPIC } from './tickets.js';
import { wardsCsv } from './wards.js';

export { generateTickets, STATUS_TOPIC, TICKETS_TOPIC } from './tickets.js';
export { WARDS, type Ward, wardsCsv } from './wards.js';
export { PII_VARIANTS, type PiiType } from './pii.js';

/**
 * Test data for the municipal-tickets pipeline (seed 000): civic complaint tickets from 50
 * Bengaluru wards on `tickets.new`, their status updates on `tickets.status`, and `wards.csv`.
 *
 * @example
 * for (const item of municipalTicketsGenerator.generate({ count: 10_000, seed: 7, badRate: 0.05 })) write(item.topic, item.line);
 */
export const municipalTicketsGenerator: PipelineGenerator = {
  pipeline: 'municipal-tickets',
  topics: [TICKETS_TOPIC, STATUS_TOPIC],
  describe: 'Bengaluru civic complaint tickets (5 languages, planted PII, bad records, late events) and their status updates',
  generate: (options: GeneratorOptions) => ({ [Symbol.iterator]: () => generateTickets(options) }),
  referenceFiles: (_options: GeneratorOptions): ReferenceFile[] => [{ name: 'wards.csv', content: wardsCsv() }],
};

/**
 * Every raw personal value the generator writes for these options: each ticket's citizen_id and
 * phone, and every value planted in descriptions — in valid, bad and duplicate lines alike. A leak
 * test searches every table, log and dead letter for each of them. Holds the whole set in memory,
 * so meant for test-sized counts.
 *
 * @example
 * const secrets = collectPlantedPii({ count: 5_000, seed: 1, badRate: 0.05 });
 */
export function collectPlantedPii(options: GeneratorOptions): Set<string> {
  const found = new Set<string>();
  for (const item of generateTickets(options)) {
    if (item.pii !== undefined) for (const value of item.pii) found.add(value);
  }
  return found;
}
