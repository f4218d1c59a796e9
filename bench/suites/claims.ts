/**
 * Issue 6's figures: the health-claims pipeline's events/s on the embedded default (JSONL file →
 * DuckDB file), the claims generator's lines/s, and how closely `generate --rate` holds its rate
 * on the real clock.
 *
 * The measured work runs in child processes (`runChild`), each a fresh Node started on this same
 * file with `--child <kind>`, so peak RSS is the run's own and one run's garbage cannot slow the next.
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, peakRssMb, runChild, writeLines } from '../measure.js';
import type { BenchSuite } from '../run.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const CHILD = './suites/claims.ts';

export const claimsBenchmarks: BenchSuite = {
  name: 'claims',
  async run({ quick }) {
    const count = quick ? 100_000 : 500_000;
    const repeats = quick ? 1 : 3;
    const file = join(tmpdir(), `sluice-bench-claims-${count}.jsonl`);
    const generated = await runChild(CHILD, ['--child', 'generate', file, String(count)]);
    const runs: Array<Record<string, number>> = [];
    for (let i = 0; i < repeats; i++) {
      const run = await runChild(CHILD, ['--child', 'pipeline', file]);
      runs.push(run);
      process.stderr.write(
        `  run ${i + 1}: ${fmt(run.eventsPerSec as number)} events/s (${fmt(run.eventsPerCpuSec as number)}/CPU-s), peak RSS ${fmt(run.peakRssMb as number)} MiB\n`,
      );
    }
    const sizeMb = statSync(file).size / 2 ** 20;
    rmSync(file, { force: true });
    const paceSeconds = quick ? 3 : 10;
    const pace = await runChild(CHILD, ['--child', 'pace', '2000', String(paceSeconds)]);
    const eventsPerSec = median(runs.map((r) => r.eventsPerSec as number));
    const first = runs[0] as Record<string, number>;
    return [
      '## health-claims: JSONL file → DuckDB (embedded default)',
      '',
      `Generated claims with 5% bad records; parse → validate (amount, age, dates) → HMAC-SHA-256 of patient_id → enrich (days_to_submission, fraud risk score from in-memory per-provider / region × procedure Welford statistics and patient-day counts) → claims_events_stream, errors → processing_errors, into a fresh DuckDB file on its own warehouse thread (as \`sluice run\` does when the main thread has steps of its own; here every step runs on the main thread). Median of ${repeats} run(s), each in a fresh process.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| Sluice pipeline, ${fmt(count)} claims (${sizeMb.toFixed(0)} MB) | **${fmt(eventsPerSec)} events/s** |`,
      `| same, per CPU-second of the process (less sensitive to a busy machine) | ${fmt(median(runs.map((r) => r.eventsPerCpuSec as number)))} events/CPU-s |`,
      `| rows written / error rows | ${fmt(first.written as number)} / ${fmt(first.errored as number)} |`,
      `| peak RSS | ${fmt(median(runs.map((r) => r.peakRssMb as number)))} MiB |`,
      `| claims generator (to a file) | ${fmt(generated.linesPerSec as number)} lines/s |`,
      `| \`generate --rate 2000/s --duration ${paceSeconds}s\` to the embedded bus | ${(pace.achievedPerSec as number).toFixed(1)} lines/s achieved (${fmt(pace.lines as number)} lines) |`,
      '',
      `Runs: ${runs.map((r) => fmt(r.eventsPerSec as number)).join(', ')} events/s.`,
      '',
    ].join('\n');
  },
};

async function generateToFile(path: string, count: number): Promise<void> {
  const { generateClaims } = await import('../../pipelines/health-claims/generator/index.js');
  const started = performance.now();
  const lines = await writeLines(path, (function* () {
    for (const item of generateClaims({ count, seed: 'bench', badRate: 0.05 })) yield item.line;
  })());
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ lines, seconds, linesPerSec: lines / seconds })}\n`);
}

async function runPipelineOnFile(input: string): Promise<void> {
  const { healthClaimsPipeline } = await import('../../pipelines/health-claims/pipeline.js');
  const { duckDbWarehouseOnThread } = await import('../../src/connectors/duckdb/duckdb-on-thread.js');
  const { JsonLinesSource } = await import('../../src/connectors/files/jsonl-source.js');
  const { createPiiHasher } = await import('../../src/privacy/hash-pii.js');
  const { runBatch } = await import('../../src/runtime/runner.js');
  const dbPath = join(tmpdir(), `sluice-bench-claims-${process.pid}.duckdb`);
  // As `sluice run` does for a pipeline whose main thread has steps of its own: DuckDB on its own thread.
  const warehouse = duckDbWarehouseOnThread({ path: dbPath });
  await warehouse.open();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await runBatch(healthClaimsPipeline({ hash: createPiiHasher({ key: 'bench-key' }).hash }), { source: new JsonLinesSource(input), warehouse });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await warehouse.close();
  rmSync(dbPath, { force: true });
  rmSync(`${dbPath}.wal`, { force: true });
  const a = result.accounting;
  process.stdout.write(
    `${JSON.stringify({ events: a.received, written: a.written, errored: a.errored, seconds, eventsPerSec: a.received / seconds, eventsPerCpuSec: a.received / cpuSeconds, peakRssMb: peakRssMb() })}\n`,
  );
}

async function paceToBus(rate: number, seconds: number): Promise<void> {
  const { generateData } = await import('../../src/cli/commands/generate.js');
  const dir = join(tmpdir(), `sluice-bench-pace-${process.pid}`);
  // The pacing window is what the command reports (opening the bus and building the generator's
  // populations come before it); its last progress line says how long it took.
  let last = '';
  const counts = await generateData(
    'health-claims',
    { count: rate * seconds, seed: 'bench', badRate: 0.05, rate, duration: seconds * 1000, to: `local:${dir}` },
    { quiet: true },
    { report: (line) => (last = line) },
  );
  rmSync(dir, { recursive: true, force: true });
  const lines = counts['claims-ingest'] ?? 0;
  const elapsed = Number(/ in ([\d.]+) s,/.exec(last)?.[1] ?? Number.NaN);
  process.stdout.write(`${JSON.stringify({ lines, seconds: elapsed, achievedPerSec: lines / elapsed })}\n`);
}

const isChild = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === '--child';
if (isChild) {
  const [kind, a, b] = process.argv.slice(3);
  if (kind === 'generate' && a !== undefined && b !== undefined) await generateToFile(a, Number(b));
  else if (kind === 'pipeline' && a !== undefined) await runPipelineOnFile(a);
  else if (kind === 'pace' && a !== undefined && b !== undefined) await paceToBus(Number(a), Number(b));
  else throw new Error(`usage: claims.ts --child generate PATH COUNT | pipeline PATH | pace RATE SECONDS (got ${process.argv.slice(2).join(' ')})`);
}
