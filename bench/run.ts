import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { calibrationBenchmarks } from './suites/calibration.js';
import { claimsBenchmarks } from './suites/claims.js';
import { featuresBenchmarks } from './suites/features.js';
import { municipalBenchmarks } from './suites/municipal.js';
import { opsBenchmarks } from './suites/ops.js';
import { windowsBenchmarks } from './suites/windows.js';
import { infraBenchmarks } from './suites/infra.js';
import { scaleBenchmarks } from './suites/scale.js';

/** A benchmark suite: measures, then returns its section of BENCHMARKS.md. */
export interface BenchSuite {
  readonly name: string;
  run(options: { quick: boolean }): Promise<string>;
}

const suites: readonly BenchSuite[] = [calibrationBenchmarks, municipalBenchmarks, windowsBenchmarks, claimsBenchmarks, infraBenchmarks, featuresBenchmarks, opsBenchmarks, scaleBenchmarks];

const RESULTS = new URL('./results/', import.meta.url);

/**
 * Runs the suites (all, or `--only=a,b`) and rebuilds BENCHMARKS.md from every suite's latest
 * section in bench/results/ — each stamped with its own date and machine — so running one suite
 * refreshes its figures without discarding the others'.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  mkdirSync(RESULTS, { recursive: true });
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform} ${process.arch}, node ${process.version}`;
  for (const suite of suites) {
    if (only !== undefined && !only.includes(suite.name)) continue;
    process.stderr.write(`bench: ${suite.name}\n`);
    const section = await suite.run({ quick });
    const stamp = `_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}${quick ? ' — QUICK mode (smaller inputs, one run): not for comparison' : ''}._\n\n`;
    const [title, ...body] = section.split('\n');
    writeFileSync(new URL(`${suite.name}.md`, RESULTS), `${title}\n\n${stamp}${body.join('\n').replace(/^\n+/, '')}`);
  }
  const sections = suites
    .map((suite) => new URL(`${suite.name}.md`, RESULTS))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'utf8').trimEnd());
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (all suites) or `npm run bench -- --only=NAME[,NAME]` (those suites; the',
    "others keep their last figures, each section stamped with its own date and machine). Medians of",
    'several runs, each in a fresh process.',
    '',
  ];
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), `${header.join('\n')}\n${sections.join('\n\n')}\n`);
  process.stderr.write('bench: wrote BENCHMARKS.md\n');
}

await main();
