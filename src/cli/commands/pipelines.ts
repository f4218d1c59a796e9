import type { Command } from 'commander';
import { pipelineDefinitions } from '../../../pipelines/index.js';

export function registerPipelines(program: Command): void {
  program
    .command('pipelines')
    .description('list the pipelines Sluice ships, with their input topic, tables and input profiles')
    .action(() => {
      for (const definition of pipelineDefinitions) {
        const built = definition.build({ hash: (v) => v, env: process.env });
        const profiles = Object.keys(definition.inputProfiles ?? {});
        process.stdout.write(
          `${definition.name}\n  ${definition.description}\n  input topic: ${definition.input}\n` +
            `  tables: ${built.tables().map((t) => t.name).join(', ')}\n` +
            (built.topics().length > 0 ? `  publishes: ${built.topics().join(', ')}\n` : '') +
            (profiles.length > 0 ? `  input profiles: ${profiles.join(', ')}\n` : '') +
            `  steps: ${built.nodes.map((n) => n.name).join(' → ')}\n\n`,
        );
      }
    });
}
