import { rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, runChild } from '../measure.js';
import type { BenchSuite } from '../run.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Issue 2's figures: file → DuckDB events/s against the hand loop, and peak RSS as input grows. */
export const municipalBenchmarks: BenchSuite = {
  name: 'municipal',
  async run({ quick }) {
    const small = quick ? 100_000 : 1_000_000;
    const large = quick ? 400_000 : 4_000_000;
    const repeats = quick ? 1 : 3;
    const dir = tmpdir();
    const smallFile = join(dir, `sluice-bench-${small}.jsonl`);
    const largeFile = join(dir, `sluice-bench-${large}.jsonl`);
    await runChild('./generate-input.ts', [smallFile, String(small)]);
    const sluice: number[] = [];
    const oneThread: number[] = [];
    const hand: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const s = await runChild('./municipal-file-duckdb.ts', ['--input', smallFile, '--mode', 'sluice']);
      sluice.push(s.eventsPerSec as number);
      rss.push(s.peakRssMb as number);
      const t = await runChild('./municipal-file-duckdb.ts', ['--input', smallFile, '--mode', 'sluice', '--threads', '0']);
      oneThread.push(t.eventsPerSec as number);
      const h = await runChild('./municipal-file-duckdb.ts', ['--input', smallFile, '--mode', 'hand']);
      hand.push(h.eventsPerSec as number);
      process.stderr.write(`  run ${i + 1}: sluice ${fmt(s.eventsPerSec as number)}/s, one thread ${fmt(t.eventsPerSec as number)}/s, hand loop ${fmt(h.eventsPerSec as number)}/s\n`);
    }
    await runChild('./generate-input.ts', [largeFile, String(large)]);
    const big = await runChild('./municipal-file-duckdb.ts', ['--input', largeFile, '--mode', 'sluice']);
    const smallMb = statSync(smallFile).size / 2 ** 20;
    const largeMb = statSync(largeFile).size / 2 ** 20;
    rmSync(smallFile, { force: true });
    rmSync(largeFile, { force: true });
    const sluiceMedian = median(sluice);
    const handMedian = median(hand);
    return [
      '## municipal-tickets, steps 1–5: JSONL file → DuckDB (embedded default)',
      '',
      `Generated tickets with 5% bad records; parse + validate (zod) → HMAC-SHA-256 of citizen_id and phone → DLP scan + mask → raw_tickets → cleanse (clean text, AFINN sentiment) → cleansed_tickets, into a fresh DuckDB file. The pipeline runs as \`sluice run\` does: its stateless steps on step threads (\`--threads auto\`: ${availableParallelism()} here); the hand loop is one thread. Median of ${repeats} run(s), each in a fresh process.`,
      '',
      '| measure | value | target |',
      '|---|---|---|',
      `| Sluice pipeline, ${fmt(small)} events (${smallMb.toFixed(0)} MB) | **${fmt(sluiceMedian)} events/s** | ≥ 60,000 |`,
      `| Sluice pipeline, everything on the main thread (\`--threads 0\`) | ${fmt(median(oneThread))} events/s | — |`,
      `| same steps as a plain hand loop, same libraries (the floor) | ${fmt(handMedian)} events/s | — |`,
      `| ratio Sluice / hand loop | **${(sluiceMedian / handMedian).toFixed(2)}** | ≥ 0.7 |`,
      `| peak RSS, ${fmt(small)} events | ${fmt(median(rss))} MiB | flat |`,
      `| peak RSS, ${fmt(large)} events (${largeMb.toFixed(0)} MB) | ${fmt(big.peakRssMb as number)} MiB (${fmt(big.eventsPerSec as number)} events/s) | flat |`,
      '',
      `Runs: Sluice ${sluice.map(fmt).join(', ')} events/s; one thread ${oneThread.map(fmt).join(', ')} events/s; hand loop ${hand.map(fmt).join(', ')} events/s.`,
      '',
    ].join('\n');
  },
};
