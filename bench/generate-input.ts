/** Writes N generated municipal tickets (5% bad) to a JSONL file for the benchmarks. */
import { municipalTicketsGenerator } from '../pipelines/municipal-tickets/generator/index.js';
import { writeLines } from './measure.js';

const [path, countText] = process.argv.slice(2);
if (path === undefined || countText === undefined) throw new Error('usage: generate-input.ts PATH COUNT');
const lines = await writeLines(
  path,
  (function* () {
    for (const item of municipalTicketsGenerator.generate({ count: Number(countText), seed: 'bench', badRate: 0.05 })) if (item.topic === 'tickets.new') yield item.line;
  })(),
);
process.stdout.write(`${JSON.stringify({ lines })}\n`);
