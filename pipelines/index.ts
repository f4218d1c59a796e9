import { ConfigError } from '../src/core/errors.js';
import type { PipelineDefinition } from '../src/core/pipeline-definition.js';
import { municipalTicketsDefinition } from './municipal-tickets/definition.js';
import { healthClaimsDefinition } from './health-claims/definition.js';
import { cqcEventsDefinition } from './cqc-events/definition.js';

/** Every reference pipeline Sluice ships. */
export const pipelineDefinitions: readonly PipelineDefinition[] = [municipalTicketsDefinition, cqcEventsDefinition, healthClaimsDefinition];

export function findPipeline(name: string): PipelineDefinition {
  const found = pipelineDefinitions.find((p) => p.name === name);
  if (found === undefined) {
    throw new ConfigError(`unknown pipeline "${name}". Known pipelines: ${pipelineDefinitions.map((p) => p.name).join(', ')}`);
  }
  return found;
}
