import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { type Command, InvalidArgumentError } from 'commander';
import { findGenerator } from '../../../pipelines/generators.js';
import { generateOpsFromCli, OPS_GENERATE_OPTIONS } from '../../../pipelines/ops-tickets/generator/cli.js';
import type { Bus, OutgoingMessage } from '../../core/bus.js';
import { ConfigError } from '../../core/errors.js';
import type { GeneratedLine, GeneratorOptions } from '../../generate/generator.js';
import { parseRatePerSecond, type Sleeper, TokenBucket } from '../../generate/rate-limiter.js';
import { contentId } from '../../runtime/runner.js';
import { type Clock, systemClock } from '../../time/clock.js';
import { busUrl, type GlobalOptions, withStopSignal } from '../context.js';
import { openBus } from '../connect.js';
import { parseCount, parseDurationMs, parseRate } from '../parse-flags.js';
import { formatCount } from '../progress.js';

export interface GenerateFlags {
  readonly count: number;
  readonly seed: string;
  readonly badRate: number;
  readonly out?: string;
  readonly outDir?: string;
  readonly topic?: string;
  readonly publish?: boolean;
  /** Publish at this many lines per second (all topics together); implies publishing. */
  readonly rate?: number;
  /** With `rate`: stop after this many milliseconds. */
  readonly duration?: number;
  /** Publish to this bus URL instead of the global `--bus`; implies publishing. */
  readonly to?: string;
}

/** What paced generation needs from its surroundings; tests pass a fake clock and sleep. */
export interface GenerateRuntime {
  readonly clock?: Clock;
  readonly sleep?: Sleeper;
  /** Stops paced publishing: what was published stays, the rest is not generated. */
  readonly signal?: AbortSignal;
  /** Receives progress lines (default: stderr unless --quiet). */
  readonly report?: (line: string) => void;
  /** How often paced publishing reports. Default 5 s. */
  readonly reportEveryMs?: number;
}

/** Lines per bus write when pacing: twenty writes a second, between 1 and 5,000 lines each. */
function pacedBatchSize(rate: number): number {
  return Math.max(1, Math.min(5000, Math.round(rate / 20)));
}

/**
 * Publishes generated lines at a steady rate (a token bucket per batch, not a sleep per line),
 * until the lines run out, `durationMs` has passed, or the signal aborts. Adds to `counts` only
 * what was published. Reports the achieved rate every `reportEveryMs`.
 */
async function publishAtRate(
  label: string,
  items: Iterable<GeneratedLine>,
  bus: Bus,
  counts: Record<string, number>,
  pace: { rate: number; durationMs: number | undefined },
  runtime: GenerateRuntime,
): Promise<void> {
  const clock = runtime.clock ?? systemClock;
  const batchSize = pacedBatchSize(pace.rate);
  const bucket = new TokenBucket({ ratePerSecond: pace.rate, capacity: batchSize, clock, ...(runtime.sleep !== undefined ? { sleep: runtime.sleep } : {}) });
  const startedAt = clock.now();
  const deadline = pace.durationMs === undefined ? Number.POSITIVE_INFINITY : startedAt + pace.durationMs;
  const reportEvery = runtime.reportEveryMs ?? 5000;
  let sent = 0;
  let lastReport = startedAt;
  const report = (): void => {
    const elapsedMs = clock.now() - startedAt;
    const achieved = elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0;
    runtime.report?.(
      `generate ${label}: ${sent.toLocaleString('en-US')} lines sent in ${(elapsedMs / 1000).toFixed(1)} s, ${achieved.toFixed(achieved < 10 ? 1 : 0)}/s (target ${pace.rate.toLocaleString('en-US')}/s)`,
    );
  };
  const iterator = items[Symbol.iterator]();
  const batch: GeneratedLine[] = [];
  let exhausted = false;
  // A function, so TypeScript does not narrow `aborted` across the awaits below.
  const aborted = (): boolean => runtime.signal?.aborted === true;
  while (!exhausted && !aborted()) {
    batch.length = 0;
    while (batch.length < batchSize) {
      const next = iterator.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      batch.push(next.value);
    }
    if (batch.length === 0) break;
    // A batch that could only go out after the deadline is not sent at all.
    if (clock.now() + bucket.delayFor(batch.length) > deadline) break;
    try {
      await bucket.take(batch.length, runtime.signal);
    } catch (error) {
      if (aborted()) break;
      throw error;
    }
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const item of batch) {
      let messages = byTopic.get(item.topic);
      if (messages === undefined) {
        messages = [];
        byTopic.set(item.topic, messages);
      }
      messages.push({ id: contentId(item.line), payload: item.line });
    }
    for (const [topic, messages] of byTopic) {
      await bus.publish(topic, messages);
      counts[topic] = (counts[topic] ?? 0) + messages.length;
    }
    sent += batch.length;
    if (clock.now() - lastReport >= reportEvery) {
      lastReport = clock.now();
      report();
    }
  }
  report();
}

interface Output {
  readonly stream: Writable;
  /** Ends the stream and resolves once the bytes are on disk (after gzip, if any). */
  end(): Promise<void>;
}

function openOutput(path: string): Output {
  if (path === '-') return { stream: process.stdout, end: async () => undefined };
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path);
  const closed = new Promise<void>((resolve, reject) => {
    file.once('close', () => resolve());
    file.once('error', reject);
  });
  const stream: Writable = path.endsWith('.gz') ? createGzip() : file;
  if (stream !== file) stream.pipe(file);
  return {
    stream,
    end: () => {
      stream.end();
      return closed;
    },
  };
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}


/**
 * Generates a pipeline's test data to stdout, files, or the bus. Returns the lines written per
 * topic. With `rate`, lines are published at that many per second (see {@link GenerateFlags}).
 *
 * @example
 * await generateData('health-claims', { count: 30_000, seed: '1', badRate: 0.05, rate: 500, duration: 60_000, to: 'local:./.sluice/bus' }, {});
 */
export async function generateData(pipeline: string, flags: GenerateFlags, global: GlobalOptions, runtime: GenerateRuntime = {}): Promise<Record<string, number>> {
  const generator = findGenerator(pipeline);
  const publish = flags.publish === true || flags.to !== undefined || flags.rate !== undefined;
  if (flags.rate !== undefined && (flags.out !== undefined || flags.outDir !== undefined)) {
    throw new ConfigError('--rate publishes to a bus and cannot be combined with --out or --out-dir; drop one of them');
  }
  if (flags.duration !== undefined && flags.rate === undefined) {
    throw new ConfigError('--duration paces publishing and needs --rate (e.g. --rate 500/s --duration 60s); without --rate, use --count');
  }
  const options: GeneratorOptions = { count: flags.count, seed: flags.seed, badRate: flags.badRate };
  const mainTopic = generator.topics[0] as string;
  const wanted = flags.topic === 'all' || flags.outDir !== undefined || publish ? null : (flags.topic ?? mainTopic);
  const counts: Record<string, number> = {};
  const progressEvery = 100_000;
  const quiet = global.quiet === true || flags.count < progressEvery;

  if (flags.rate !== undefined) {
    const bus = await openBus(flags.to ?? busUrl(global));
    try {
      const report = runtime.report ?? (global.quiet === true ? undefined : (line: string) => process.stderr.write(`${line}\n`));
      await publishAtRate(pipeline, generator.generate(options), bus, counts, { rate: flags.rate, durationMs: flags.duration }, { ...runtime, ...(report !== undefined ? { report } : {}) });
    } finally {
      await bus.close();
    }
  } else if (publish) {
    const bus = await openBus(flags.to ?? busUrl(global));
    const pending = new Map<string, OutgoingMessage[]>();
    const flush = async (topic: string, messages: OutgoingMessage[]): Promise<void> => {
      if (messages.length > 0) await bus.publish(topic, messages.splice(0));
    };
    try {
      let lines = 0;
      for (const item of generator.generate(options)) {
        let batch = pending.get(item.topic);
        if (batch === undefined) {
          batch = [];
          pending.set(item.topic, batch);
        }
        batch.push({ id: contentId(item.line), payload: item.line });
        counts[item.topic] = (counts[item.topic] ?? 0) + 1;
        if (batch.length >= 5000) await flush(item.topic, batch);
        if (!quiet && ++lines % progressEvery === 0) process.stderr.write(`generate ${pipeline}: ${formatCount(lines)} lines published\n`);
      }
      for (const [topic, batch] of pending) await flush(topic, batch);
    } finally {
      await bus.close();
    }
  } else {
    const outputs = new Map<string, Output>();
    const outputFor = (topic: string): Writable => {
      let out = outputs.get(topic);
      if (out === undefined) {
        out = openOutput(flags.outDir !== undefined ? join(flags.outDir, `${topic}.jsonl`) : (flags.out ?? '-'));
        outputs.set(topic, out);
      }
      return out.stream;
    };
    let buffer = '';
    let bufferTopic = '';
    let lines = 0;
    for (const item of generator.generate(options)) {
      if (wanted !== null && item.topic !== wanted) continue;
      if (item.topic !== bufferTopic || buffer.length > 256 * 1024) {
        if (buffer.length > 0) await write(outputFor(bufferTopic), buffer);
        buffer = '';
        bufferTopic = item.topic;
      }
      buffer += `${item.line}\n`;
      counts[item.topic] = (counts[item.topic] ?? 0) + 1;
      if (!quiet && ++lines % progressEvery === 0) process.stderr.write(`generate ${pipeline}: ${formatCount(lines)} lines\n`);
    }
    if (buffer.length > 0) await write(outputFor(bufferTopic), buffer);
    for (const out of outputs.values()) await out.end();
  }
  const referenceDir = flags.outDir ?? (flags.out !== undefined && flags.out !== '-' ? dirname(flags.out) : undefined);
  if (referenceDir !== undefined && generator.referenceFiles !== undefined) {
    mkdirSync(referenceDir, { recursive: true });
    for (const file of generator.referenceFiles(options)) writeFileSync(join(referenceDir, file.name), file.content);
  }
  return counts;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description("generate realistic test data for a pipeline, bad records included; the same seed gives the same bytes")
    .argument('<pipeline>', 'pipeline name, e.g. municipal-tickets')
    .option('-n, --count <n>', 'records to generate (e.g. 10000, 100k, 1M)', parseCount, 10_000)
    .option('--seed <seed>', 'random seed: the same seed gives byte-identical output', '1')
    .option('--bad-rate <rate>', 'share of bad records (malformed JSON, missing/mistyped fields, bad timestamps, duplicates)', parseRate, 0.05)
    .option('-o, --out <file>', 'write the main topic to this file (.gz compresses); default stdout')
    .option('--out-dir <dir>', 'write every topic to <dir>/<topic>.jsonl, plus reference files (e.g. wards.csv)')
    .option('--topic <topic>', 'which topic to write to --out/stdout, or "all" (default: the pipeline input)')
    .option('--publish', 'publish every line to its topic on the bus (--bus) instead of writing files')
    // ops-tickets writes day files, not JSONL lines: its own flags, dispatched first in the action.
    .addOption(OPS_GENERATE_OPTIONS.from).addOption(OPS_GENERATE_OPTIONS.splitBy).addOption(OPS_GENERATE_OPTIONS.perDay)
    .option('--to <bus-url>', 'publish to this bus (e.g. local:./.sluice/bus) instead of --bus; implies --publish')
    .option('--rate <rate>', 'publish at a steady rate, e.g. 500/s, 30000/m or 2k/s (implies --publish); without it, as fast as possible', parseRateFlag)
    .option('--duration <duration>', 'with --rate: stop after this long (e.g. 60s, 5m); --count then defaults to rate × duration', parseDurationMs)
    .addHelpText(
      'after',
      `
Examples:
  $ sluice generate municipal-tickets --count 100k --seed 7 > tickets.jsonl
  $ sluice generate municipal-tickets --count 1M --out tickets.jsonl.gz
  $ sluice generate municipal-tickets --count 50k --publish && sluice run municipal-tickets --until-idle
  $ sluice generate health-claims --rate 500/s --duration 60s --to local:./.sluice/bus

With --rate, a progress line every 5 s shows the lines sent and the rate achieved; Ctrl-C stops
after the batch in flight.`,
    )
    .action(async (pipeline: string, flags: GenerateFlags, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions;
      if (pipeline === 'ops-tickets') return generateOpsFromCli(flags, command, global.quiet === true);
      // rate × duration replaces the default count, so `--rate 500/s --duration 60s` sends 30,000 lines.
      const countIsDefault = command.getOptionValueSource('count') === 'default';
      const effective: GenerateFlags =
        countIsDefault && flags.rate !== undefined && flags.duration !== undefined ? { ...flags, count: Math.ceil((flags.rate * flags.duration) / 1000) } : flags;
      const counts =
        flags.rate !== undefined ? await withStopSignal((signal) => generateData(pipeline, effective, global, { signal })) : await generateData(pipeline, effective, global);
      const published = flags.publish === true || flags.to !== undefined || flags.rate !== undefined;
      if (published || flags.outDir !== undefined || (flags.out !== undefined && flags.out !== '-')) {
        const where = published ? `published to ${flags.to ?? busUrl(global)}` : `written to ${flags.outDir ?? flags.out}`;
        process.stderr.write(`${Object.entries(counts).map(([t, c]) => `${t}: ${c.toLocaleString('en-US')}`).join(', ')} ${where}\n`);
      }
    });
}

/** `--rate` as commander wants it: a number, or an InvalidArgumentError with the accepted forms. */
function parseRateFlag(text: string): number {
  try {
    return parseRatePerSecond(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
