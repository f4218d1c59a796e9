import { ConfigError } from '../core/errors.js';
import type { PipelineDefinition } from '../core/pipeline-definition.js';
import type { Source } from '../core/source.js';
import type { Warehouse } from '../core/warehouse.js';
import type { Bus } from '../core/bus.js';
import { CsvSource } from '../connectors/files/csv-source.js';
import { JsonLinesSource } from '../connectors/files/jsonl-source.js';
import { HttpSource } from '../connectors/http/http-source.js';
import { piiHasherFromEnv } from '../privacy/hash-pii.js';
import { type PipelineRecipe, type RunEvent, type RunProgress, type RunResult, runBatch, runStreaming } from '../runtime/runner.js';
import { WORKER_COUNT_ENV, workerForwarder } from '../runtime/workers.js';
import { autoThreadCount } from '../runtime/threads/step-workers.js';
import { pipelineDefinitions } from '../../pipelines/index.js';
import { observeRun } from '../observe/metrics.js';
import { mergeSources } from '../runtime/merge-sources.js';
import { stopWhenIdle } from '../runtime/stop-when-idle.js';
import { progressPrinter } from './progress.js';
import { defaultOnlineUrl, openOnlineStore } from '../features/open-online-store.js';
import { type LookupStats, pipelineLookupStats } from '../features/lookup.js';
import { mergeByEventTime } from '../features/merge-by-event-time.js';
import { LANE_ENV, type Lane, laneOf, orderedLaneConsumer } from '../runtime/lanes.js';

export interface JobOptions {
  readonly definition: PipelineDefinition;
  readonly warehouse: Warehouse;
  readonly bus: Bus;
  /** A file, `-` for stdin; absent = the pipeline's topic on the bus. */
  readonly input?: string;
  readonly format?: 'jsonl' | 'csv';
  readonly profile?: string;
  readonly httpPort?: number;
  readonly consumer?: string;
  /** Dead-letter messages delivered more often than this (buses that count deliveries). */
  readonly maxDeliveries?: number;
  /** Stop once the bus has had nothing new for this long (ms). */
  readonly untilIdleMs?: number;
  readonly flushRows?: number;
  readonly flushMs?: number;
  readonly createTables?: 'never' | 'if-needed';
  readonly progress: boolean;
  readonly signal: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The online store URL (`--online`); default an embedded store beside the warehouse. */
  readonly online?: string;
  /** Further input files, one per topic (`--input-topic tickets.status=status.jsonl`), merged with `input`. */
  readonly inputTopics?: ReadonlyArray<readonly [topic: string, file: string]>;
  /** Step worker threads for the pipeline's stateless head (`--threads`); default `auto`. */
  readonly threads?: number | 'auto';
  /** One lane of a pipeline split into lanes (`--lane`, or SLUICE_LANE from the supervisor); default the whole pipeline. */
  readonly lane?: Lane;
}

/** A run's result plus the hit/miss counts of the pipeline's lookup steps. */
export type JobResult = RunResult & { readonly lookups: readonly LookupStats[] };

function inferFormat(path: string): 'jsonl' | 'csv' {
  return /\.csv(\.gz)?$/i.test(path) ? 'csv' : 'jsonl';
}

/** Chooses the source a `sluice run` asked for. */
export function sourceFor(options: JobOptions): { source: Source; streaming: boolean } {
  const { definition } = options;
  const profile = options.profile === undefined ? undefined : definition.inputProfiles?.[options.profile];
  if (options.profile !== undefined && profile === undefined) {
    const known = Object.keys(definition.inputProfiles ?? {});
    throw new ConfigError(`pipeline ${definition.name} has no input profile "${options.profile}"${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`);
  }
  if (options.httpPort !== undefined) return { source: new HttpSource({ port: options.httpPort }), streaming: true };
  if (options.inputTopics !== undefined && options.inputTopics.length > 0) {
    // Each file stands for one topic; messages carry it in attributes.topic, as on the bus, and
    // are interleaved by event time so a status update follows its ticket as it would live.
    const parts = [...(options.input !== undefined ? [[definition.input, options.input] as const] : []), ...options.inputTopics];
    return { source: mergeByEventTime(parts.map(([, file]) => new JsonLinesSource(file)), parts.map(([topic]) => topic)), streaming: false };
  }
  if (options.input !== undefined) {
    const format = options.format ?? profile?.format ?? inferFormat(options.input);
    const source =
      format === 'csv'
        ? new CsvSource(options.input, profile?.mapRow !== undefined ? { mapRow: profile.mapRow } : {})
        : new JsonLinesSource(options.input);
    return { source, streaming: false };
  }
  const shared = options.consumer ?? definition.name;
  const consumer = options.lane === 'ordered' ? orderedLaneConsumer(shared) : shared;
  // The ordered lane is its consumer's only reader, and its results depend on the order; so does
  // a whole pipeline that has such steps (one process, no lanes), on its own consumer.
  const inOrder = options.lane === 'ordered' || (options.lane === undefined && definition.orderedLane !== undefined);
  const consumerOptions = { ...(options.maxDeliveries !== undefined ? { maxDeliveries: options.maxDeliveries } : {}), ...(inOrder ? { inOrder: true } : {}) };
  const topics = [definition.input, ...(definition.extraInputs ?? [])];
  if (options.untilIdleMs !== undefined && topics.length > 1) {
    // Draining a backlog: merge the topics by event time (see mergeByEventTime for why).
    const idle = options.untilIdleMs;
    const parts = topics.map((topic) => stopWhenIdle(options.bus.subscribe(topic, { consumer, ...consumerOptions }), idle));
    return { source: mergeByEventTime(parts, topics, undefined, { recheckEnded: true }), streaming: true };
  }
  const subscription =
    topics.length === 1
      ? options.bus.subscribe(definition.input, { consumer, ...consumerOptions })
      : mergeSources(topics.map((topic) => options.bus.subscribe(topic, { consumer, ...consumerOptions })), topics);
  if (options.untilIdleMs !== undefined) return { source: stopWhenIdle(subscription, options.untilIdleMs), streaming: true };
  return { source: subscription, streaming: true };
}

/**
 * How a step worker thread rebuilds a shipped pipeline: through `findPipeline` in pipelines/index.
 * Definitions that are not shipped (a test's own) run on one thread.
 */
function recipeFor(definition: PipelineDefinition, env: Readonly<Record<string, string | undefined>>): PipelineRecipe | undefined {
  if (!pipelineDefinitions.includes(definition)) return undefined;
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return { module: new URL(`../../pipelines/index.${ext}`, import.meta.url).href, exportName: 'findPipeline', args: [definition.name], env };
}

/**
 * Step threads for `auto`: the cores this process may use, shared with the other worker processes
 * of `--workers N` (with as many processes as cores, each runs on its own thread).
 */
function threadCount(threads: number | 'auto', env: Readonly<Record<string, string | undefined>>): number {
  if (threads !== 'auto') return threads;
  const processes = Math.max(1, Number(env[WORKER_COUNT_ENV] ?? 1));
  const perProcess = Math.floor(autoThreadCount() / processes);
  return perProcess >= 2 ? perProcess : 0;
}

/**
 * Whether a run of `definition` should have its embedded warehouse on a thread of its own: when
 * its main thread has steps to run — all of them (`--threads 0`), or those after the stateless
 * head the step threads take (municipal-tickets' features, a windowed tap). Loading rows then
 * runs beside them (steps 1–8: 4–9% more events/s). A pipeline the step threads run whole leaves
 * the main thread idle, and the thread would only add memory (≈250 MB on 1M municipal events).
 */
export function warehouseWantsOwnThread(definition: PipelineDefinition, options: { lane?: Lane; threads?: number | 'auto'; env?: Readonly<Record<string, string | undefined>> } = {}): boolean {
  const base = options.env ?? process.env;
  const lane = options.lane ?? laneOf(base);
  if (lane !== undefined && definition.orderedLane === undefined) return false;
  const env = lane === undefined ? base : { ...base, [LANE_ENV]: lane };
  if (threadCount(options.threads ?? 'auto', env) === 0 || recipeFor(definition, env) === undefined) return true;
  const pipeline = definition.build({ hash: (v) => v, env });
  return pipeline.nodes.length > pipeline.statelessHead().length;
}

/** Builds the pipeline, picks the source and runs it, with a progress line. */
export async function runJob(options: JobOptions): Promise<JobResult> {
  const lane = options.lane ?? laneOf(options.env ?? process.env);
  if (lane !== undefined && options.definition.orderedLane === undefined) {
    throw new ConfigError(`pipeline ${options.definition.name} is not split into lanes: run it without --lane (or SLUICE_LANE)`);
  }
  // The lane reaches the pipeline's build (here and on the step threads) through the environment.
  const env = lane === undefined ? (options.env ?? process.env) : { ...(options.env ?? process.env), [LANE_ENV]: lane };
  const hasher = piiHasherFromEnv(env);
  const { source, streaming } = sourceFor({ ...options, ...(lane !== undefined ? { lane } : {}) });
  // The parallel lane keeps no features: it must not open (and lock) the store the ordered lane writes.
  const online = await openOnlineStore(lane === 'parallel' ? 'memory:' : (options.online ?? env.SLUICE_ONLINE ?? defaultOnlineUrl(options.warehouse.location)));
  const pipeline = options.definition.build({ hash: hasher.hash, env, online });
  const progress = progressPrinter(options.definition.name, options.progress);
  // This process's metrics (`--metrics-port`), and its supervisor's when it is one of N workers.
  const observer = observeRun(options.definition.name, workerForwarder());
  const recipe = recipeFor(options.definition, env);
  const threads = threadCount(options.threads ?? 'auto', env);
  const runOptions = {
    ...(recipe !== undefined && threads > 0 ? { threads: { count: threads, recipe } } : {}),
    source,
    warehouse: observer.warehouse(options.warehouse),
    bus: options.bus,
    signal: options.signal,
    onProgress: (p: RunProgress) => {
      progress.update(p);
      observer.progress(p);
    },
    onEvent: (event: RunEvent) => {
      options.onEvent?.(event);
      observer.event(event);
    },
    ...(options.flushRows !== undefined ? { flushRows: options.flushRows } : {}),
    ...(options.maxDeliveries !== undefined ? { maxDeliveries: options.maxDeliveries } : {}),
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    ...(options.createTables !== undefined ? { createTables: options.createTables } : {}),
  };
  try {
    if (options.definition.views !== undefined && options.definition.views.length > 0) {
      // Views need their tables: create those first (the runner's own ensureTable is then a no-op).
      for (const table of pipeline.tables()) await options.warehouse.ensureTable(table, options.createTables ?? table.create ?? 'if-needed');
      for (const view of options.definition.views) await options.warehouse.execute?.(`CREATE OR REPLACE VIEW ${view.name} AS ${view.sql}`);
    }
    const result = streaming ? await runStreaming(pipeline, runOptions) : await runBatch(pipeline, runOptions);
    return { ...result, lookups: pipelineLookupStats(pipeline.nodes) };
  } finally {
    progress.done();
    await online.close();
  }
}
