import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The V8 flags `sluice` itself runs with: those on the `#!/usr/bin/env -S node …` line of
 * bin/sluice.js. Benchmark children get the same, so they measure what users run — without them,
 * municipal steps 1–8 (bound by the main thread, whose young objects live until a commit) measured
 * about a tenth slower than `sluice run`.
 */
export function productNodeFlags(): string[] {
  const shebang = readFileSync(new URL('../bin/sluice.js', import.meta.url), 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node(.*)$/.exec(shebang);
  if (match === null) throw new Error(`bin/sluice.js does not start with "#!/usr/bin/env -S node": ${shebang}`);
  return (match[1] as string).split(' ').filter((flag) => flag.length > 0);
}

/** What one benchmark child process reports on its last stdout line. */
export interface Measurement {
  readonly [metric: string]: number;
}

/**
 * Runs a benchmark script in a fresh Node process (so peak RSS is its own, and one run's garbage
 * cannot slow the next) and returns the JSON object it printed last.
 */
export async function runChild(script: string, args: readonly string[]): Promise<Measurement> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...productNodeFlags(), '--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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
