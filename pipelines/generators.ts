import { ConfigError } from '../src/core/errors.js';
import type { PipelineGenerator } from '../src/generate/generator.js';
import { municipalTicketsGenerator } from './municipal-tickets/generator/index.js';
import { healthClaimsGenerator } from './health-claims/generator/index.js';
import { cqcEventsGenerator } from './cqc-events/generator/index.js';

/** Test-data generators, one per reference pipeline. */
export const generators: readonly PipelineGenerator[] = [municipalTicketsGenerator, cqcEventsGenerator, healthClaimsGenerator];

export function findGenerator(pipeline: string): PipelineGenerator {
  const found = generators.find((g) => g.pipeline === pipeline);
  if (found === undefined) {
    throw new ConfigError(`no generator for "${pipeline}". Generators exist for: ${generators.map((g) => g.pipeline).join(', ')}`);
  }
  return found;
}
