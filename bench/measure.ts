import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository: bench/ holds this file, or bench/.build/bench/ when it runs compiled. */
const ROOT = new URL(import.meta.url.includes('/bench/.build/') ? '../../../' : '../', import.meta.url);

/**
 * The V8 flags `sluice` itself runs with: those on the `#!/usr/bin/env -S node …` line of
 * bin/sluice.js. Benchmark children get the same, so they measure what users run — without them,
 * municipal steps 1–8 (bound by the main thread, whose young objects live until a commit) measured
 * about a tenth slower than `sluice run`.
 */
export function productNodeFlags(): string[] {
  const shebang = readFileSync(new URL('bin/sluice.js', ROOT), 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node(.*)$/.exec(shebang);
  if (match === null) throw new Error(`bin/sluice.js does not start with "#!/usr/bin/env -S node": ${shebang}`);
  return (match[1] as string).split(' ').filter((flag) => flag.length > 0);
}

/** Where `compileBenchmarks()` puts the compiled tree (src, pipelines, bench, test/support). */
const BUILD = new URL('bench/.build/', ROOT);
let compiled = false;

/**
 * Compiles src, pipelines and the benchmarks with tsc into bench/.build, once per harness run, so
 * that the measured children run JavaScript as `sluice` does (bin/sluice.js runs dist/), not
 * TypeScript through tsx: tsx's loader, registered again in every step thread, added about 0.3 s of
 * start-up to each run (step threads ready in ≈ 440 ms under tsx, ≈ 140 ms compiled) — 5% of a
 * municipal steps 1–8 run.
 */
export function compileBenchmarks(): void {
  if (compiled) return;
  // typescript's exports map does not list bin/tsc: found beside its package.json instead.
  const tsc = fileURLToPath(new URL('bin/tsc', pathToFileURL(createRequire(import.meta.url).resolve('typescript/package.json'))));
  const project = fileURLToPath(new URL('tsconfig.bench.json', ROOT));
  const result = spawnSync(process.execPath, [tsc, '-p', project], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`compiling the benchmarks (tsc -p ${project}) failed with exit code ${result.status}`);
  compiled = true;
}

/** A benchmark script (`./suites/x.ts`, relative to bench/) as compiled by compileBenchmarks(). */
function compiledScript(script: string): string {
  return fileURLToPath(new URL(`bench/${script.replace(/^\.\//, '').replace(/\.ts$/, '.js')}`, BUILD));
}

/** What one benchmark child process reports on its last stdout line. */
export interface Measurement {
  readonly [metric: string]: number;
}

/**
 * Runs a benchmark script, compiled (see compileBenchmarks), in a fresh Node process (so peak RSS
 * is its own, and one run's garbage cannot slow the next) and returns the JSON object it printed last.
 */
export async function runChild(script: string, args: readonly string[]): Promise<Measurement> {
  compileBenchmarks();
  const path = compiledScript(script);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...productNodeFlags(), path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
        return;
      }
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as Measurement);
      } catch {
        reject(new Error(`${script} printed no result line: ${last}`));
      }
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Writes lines to a file in 1 MiB writes, honouring backpressure; returns how many. */
export async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const { createWriteStream } = await import('node:fs');
  const out = createWriteStream(path);
  let buffer = '';
  let count = 0;
  for (const line of lines) {
    buffer += `${line}\n`;
    count++;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise<void>((r) => out.once('close', () => r()));
  return count;
}
