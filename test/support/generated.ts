import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { municipalTicketsGenerator } from '../../pipelines/municipal-tickets/generator/index.js';
import type { GeneratedLine } from '../../src/generate/generator.js';

export interface GeneratedTickets {
  readonly path: string;
  readonly lines: readonly GeneratedLine[];
  /** Every raw PII value any line carries. */
  readonly pii: ReadonlySet<string>;
}

/** Writes generated tickets.new lines to `<dir>/tickets.jsonl` and keeps what was planted. */
export function writeGeneratedTickets(dir: string, count: number, seed: string, badRate = 0.05): GeneratedTickets {
  const lines = [...municipalTicketsGenerator.generate({ count, seed, badRate })].filter((l) => l.topic === 'tickets.new');
  const path = join(dir, 'tickets.jsonl');
  writeFileSync(path, lines.map((l) => `${l.line}\n`).join(''));
  const pii = new Set<string>();
  for (const line of lines) for (const value of line.pii ?? []) pii.add(value);
  return { path, lines, pii };
}
