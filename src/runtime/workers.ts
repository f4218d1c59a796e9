import { type ChildProcess, spawn } from 'node:child_process';
import { LANE_ENV } from './lanes.js';
import type { AccountingReport } from '../core/accounting.js';
import { ConfigError, SluiceError } from '../core/errors.js';
import type { OnlineStore } from '../core/online-store.js';
import type { PipelineBuildContext, PipelineDefinition } from '../core/pipeline-definition.js';
import type { LookupStats } from '../features/lookup.js';
import type { MetricsMessage } from '../observe/metrics.js';
import type { RunResult } from './runner.js';

/**
 * `sluice run --workers N`: a supervisor process that starts N worker processes running the same
 * pipeline on the same durable bus consumer, so the bus spreads the messages over them, and
 * forwards SIGINT/SIGTERM so each drains and commits before the combined accounting is printed.
 *
 * Workers are the ordinary `sluice run` command (with `--json`), each in its own process group so
 * a Ctrl-C on the terminal reaches only the supervisor, which forwards exactly one SIGTERM — a
 * second signal to a worker means "exit at once". A worker that crashes (a signal, or exit code 1
 * after its sink retries ran out) is restarted with backoff; whatever it had not committed was not
 * acknowledged, so the bus delivers it again and the idempotent sinks keep every row once. A
 * worker that exits with code 2 (a configuration error) stops the run: a restart would fail alike.
 */

/** Why `--workers N` was refused; stable, for scripts and tests. */
export type WorkersRefusal = 'embedded-warehouse' | 'local-bus' | 'single-process-input' | 'stateful-tap' | 'per-process-online-store';

/** `--workers N` cannot work with this configuration. The message says why and what to use instead. */
export class WorkersRefusedError extends SluiceError {
  readonly reason: WorkersRefusal;
  constructor(reason: WorkersRefusal, message: string) {
    super('WORKERS_REFUSED', message);
    this.name = 'WorkersRefusedError';
    this.reason = reason;
  }
}

/** No worker finished its run: each crashed more often than the supervisor restarts. */
export class WorkersFailedError extends SluiceError {
  constructor(message: string) {
    super('WORKERS_FAILED', message);
    this.name = 'WorkersFailedError';
  }
}

/** What `--workers N` is checked against. */
export interface WorkerPlan {
  readonly workers: number;
  readonly definition: PipelineDefinition;
  readonly warehouseUrl: string;
  readonly busUrl: string;
  /** The online store URL in force (the flag, SLUICE_ONLINE, or the default beside the warehouse). */
  readonly onlineUrl: string;
  /** Non-bus inputs asked for, by flag (`--input`, `--input-topic`, `--http`). */
  readonly otherInputs?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const isEmbeddedWarehouse = (url: string): boolean => url === ':memory:' || url.startsWith('duckdb:') || !url.includes('://');
const isLocalBus = (url: string): boolean => url.startsWith('local:') || !url.includes('://');
const isSharedOnlineStore = (url: string): boolean => url.startsWith('redis://') || url.startsWith('rediss://');

/**
 * Refuses a `--workers N` (N > 1) that would break the delivery guarantees, with the reason:
 *
 * - an embedded DuckDB warehouse: DuckDB allows one writing process per database file;
 * - the local bus: it keeps one consumer position per topic in a file, for one process at a time;
 * - `--input`, `--input-topic`, `--http`: every worker would read the whole file (or bind the port);
 * - a stateful tap whose snapshot is not empty (windows, say): its checkpoint row in
 *   `_sluice_state` is per pipeline, so N workers would each hold part of every window and
 *   overwrite each other's checkpoint. A tap may run on N workers when it keeps its state in a
 *   store the workers share and its `snapshot()` is `null` — as municipal-tickets does, keeping
 *   its rolling features as commutative, id-deduplicated tiles in the online store;
 * - a pipeline that uses the online store, with a store that is not shared (embedded — one writing
 *   process per folder — or `memory:`, one per process): use `--online redis://…`. A pipeline split
 *   into lanes (`orderedLane`) writes the store from its one ordered-lane process, so an embedded
 *   store will do there; only `memory:` is refused (a restarted lane would find its tiles gone).
 *
 * @example
 * checkWorkerPlan({ workers: 3, definition, warehouseUrl: 'postgres://…', busUrl: 'nats://…', onlineUrl: 'redis://…' });
 */
export function checkWorkerPlan(plan: WorkerPlan): void {
  const n = plan.workers;
  if (n <= 1) return;
  const name = plan.definition.name;
  if (isEmbeddedWarehouse(plan.warehouseUrl)) {
    throw new WorkersRefusedError(
      'embedded-warehouse',
      `--workers ${n} needs a warehouse the workers can share, and the embedded DuckDB warehouse (${plan.warehouseUrl}) allows one writing process per database file. ` +
        'Use --warehouse postgres://USER@HOST:5432/DB, or run one worker.',
    );
  }
  if (isLocalBus(plan.busUrl)) {
    throw new WorkersRefusedError(
      'local-bus',
      `--workers ${n} needs a bus whose consumers can be shared between processes, and the local bus (${plan.busUrl}) serves each topic to one consumer process at a time. ` +
        'Use --bus nats://HOST:4222 (JetStream), or run one worker.',
    );
  }
  const inputs = plan.otherInputs ?? [];
  if (inputs.length > 0) {
    throw new WorkersRefusedError(
      'single-process-input',
      `--workers ${n} shares a bus consumer between workers; with ${inputs.join(', ')} every worker would read the same input. ` +
        `Publish it to the bus first (sluice publish ${plan.definition.input} FILE), or run one worker.`,
    );
  }
  const usage = inspectPipeline(plan.definition, plan.env ?? process.env);
  const stateful = usage.statefulTaps;
  if (stateful.length > 0) {
    throw new WorkersRefusedError(
      'stateful-tap',
      `pipeline ${name} keeps state in ${stateful.length === 1 ? 'its tap' : 'its taps'} ${stateful.map((t) => `"${t}"`).join(', ')}, checkpointed per pipeline in _sluice_state: ` +
        `${n} workers would each hold part of every window and overwrite each other's checkpoint. Run it with --workers 1, ` +
        'or keep the state in a store the workers share (as the rolling features keep tiles in the online store) so the tap has no snapshot.',
    );
  }
  if (usage.usesOnlineStore && plan.definition.orderedLane !== undefined) {
    // With lanes the ordered lane is the store's only writer, so an embedded store will do; but
    // memory: would lose the tiles when the supervisor restarts the lane, which resumes mid-stream.
    if (plan.onlineUrl === 'memory:') {
      throw new WorkersRefusedError(
        'per-process-online-store',
        `pipeline ${name} keeps its features in the online store, and memory: keeps nothing: when the supervisor restarts its ordered lane ` +
          'after a crash, the lane resumes where it had acknowledged and would find the tiles gone. Use --online embedded:DIR or redis://HOST:6379.',
      );
    }
  } else if (usage.usesOnlineStore && !isSharedOnlineStore(plan.onlineUrl)) {
    throw new WorkersRefusedError(
      'per-process-online-store',
      `pipeline ${name} keeps its features in the online store, and ${plan.onlineUrl} is not shared between processes ` +
        `(an embedded store has one writing process per folder; memory: is per process), so ${n} workers would each see a part of the events. ` +
        'Use --online redis://HOST:6379, or run one worker.',
    );
  }
}

/**
 * What a pipeline needs from its surroundings, learnt by building it once: whether it reads the
 * online store from its build context, and which taps hold state (a non-empty snapshot when new).
 */
export function inspectPipeline(
  definition: PipelineDefinition,
  env: Readonly<Record<string, string | undefined>>,
): { usesOnlineStore: boolean; statefulTaps: string[] } {
  let usesOnlineStore = false;
  const context: PipelineBuildContext = { hash: (value) => value, env };
  // A getter, so reading `context.online` is what tells us the pipeline uses one.
  Object.defineProperty(context, 'online', {
    enumerable: true,
    get(): OnlineStore | undefined {
      usesOnlineStore = true;
      return undefined;
    },
  });
  const pipeline = definition.build(context);
  const statefulTaps: string[] = [];
  for (const node of pipeline.nodes) {
    if (node.kind !== 'tap') continue;
    const snapshot = node.operator.snapshot();
    if (snapshot !== null && snapshot !== undefined) statefulTaps.push(node.operator.name);
  }
  return { usesOnlineStore, statefulTaps };
}

/** Flags the supervisor handles itself and never passes on: `--workers`, `--metrics-port`. */
const SUPERVISOR_FLAGS = ['--workers', '--metrics-port'];

/**
 * A worker's command-line arguments: the supervisor's own, without the flags only the supervisor
 * handles, quiet (no progress lines), and with `--json` so the supervisor can read its result.
 *
 * @example
 * workerArgs(['--bus', 'nats://h:4222', 'run', 'municipal-tickets', '--workers', '3']);
 * // ['--quiet', '--bus', 'nats://h:4222', 'run', 'municipal-tickets', '--json']
 */
export function workerArgs(args: readonly string[]): string[] {
  const out: string[] = ['--quiet'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (SUPERVISOR_FLAGS.includes(arg)) {
      i++;
      continue;
    }
    if (SUPERVISOR_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) continue;
    if (arg === '--json' || arg === '--quiet' || arg === '-q') continue;
    out.push(arg);
  }
  out.push('--json');
  return out;
}

/** Environment variables a worker process is started with. */
export const WORKER_INDEX_ENV = 'SLUICE_WORKER_INDEX';
export const WORKER_COUNT_ENV = 'SLUICE_WORKERS';

/**
 * In a worker process started by the supervisor: a function sending metrics messages to it. Also
 * makes the worker drain and exit when the supervisor disappears (killed outright), so no worker
 * outlives its supervisor. Undefined in any other process.
 *
 * @example
 * const forward = workerForwarder(); // pass to observeRun(pipeline, forward)
 */
export function workerForwarder(): ((message: MetricsMessage) => void) | undefined {
  if (process.send === undefined || process.env[WORKER_INDEX_ENV] === undefined) return undefined;
  if (!watchingSupervisor) {
    watchingSupervisor = true;
    // The channel must not keep the worker alive once its run is over.
    process.channel?.unref();
    // Draining is what SIGTERM does in `sluice run`: commit what is in flight, then exit.
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  return (message) => {
    // With a callback, a send to a supervisor that just went away is ignored instead of thrown.
    if (process.connected) process.send?.(message, () => undefined);
  };
}

let watchingSupervisor = false;

/** What became of one worker process. */
export interface WorkerExit {
  readonly worker: number;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The run result it printed, when it finished its run. */
  readonly result?: WorkerRunResult;
}

/** A worker's `--json` output: a run result plus what the CLI adds. */
export type WorkerRunResult = RunResult & { readonly lookups: readonly LookupStats[] };

export interface SuperviseOptions {
  readonly workers: number;
  /** The executable and arguments of one worker, e.g. `[process.execPath, ...execArgv, cli, ...workerArgs(argv)]`. */
  readonly command: readonly [string, ...string[]];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Aborting forwards SIGTERM to every worker: they drain, commit and exit; none is restarted. */
  readonly signal?: AbortSignal;
  /** Restarts per worker slot before the supervisor gives up on that slot. Default 5. */
  readonly maxRestarts?: number;
  /** Delay before the first restart; doubles per restart of a slot up to 30 s. Default 1000 ms. */
  readonly restartDelayMs?: number;
  /** Metrics messages of the workers (progress, events, commits). */
  readonly onMessage?: (worker: number, message: MetricsMessage) => void;
  /** One line a worker wrote on stderr (pino JSON lines get `"worker":N`). Default: relayed to stderr. */
  readonly onStderr?: (worker: number, line: string) => void;
  /** Lines about the workers themselves (started, exited, restarting). Default: stderr. */
  readonly report?: (line: string) => void;
  /**
   * The pipeline is split into lanes (`PipelineDefinition.orderedLane`): the N workers run the
   * parallel lane, and one more process — slot N + 1, restarted like the others — the ordered lane.
   */
  readonly orderedLane?: { readonly description: string };
}

export interface SupervisedRun {
  /** Every worker process that ran, restarts included, in the order they ended. */
  readonly exits: readonly WorkerExit[];
  /** The sum of the workers' finished runs (see combineRunResults), and the ordered lane's own. */
  readonly result: SupervisedResult;
}

/** The workers' combined books; with lanes, the ordered lane's books apart (it read every message again). */
export type SupervisedResult = WorkerRunResult & { readonly orderedLane?: WorkerRunResult };

/** Marks a pino JSON line with the worker it came from; prefixes any other line. */
function tagLine(worker: number | string, line: string): string {
  return line.startsWith('{"') ? `{"worker":${JSON.stringify(worker)},${line.slice(1)}` : `[${typeof worker === 'number' ? `worker ${worker}` : worker}] ${line}`;
}

/**
 * Runs `workers` worker processes to the end and combines their results. Resolves when every
 * worker has ended (finished its run, or stopped by the signal); rejects with WorkersFailedError
 * when no worker finished, or a worker reported a configuration error (exit code 2).
 *
 * @example
 * const run = await superviseWorkers({ workers: 3, command: [process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...workerArgs(argv)], signal });
 * console.log(run.result.accounting.received);
 */
export async function superviseWorkers(options: SuperviseOptions): Promise<SupervisedRun> {
  const startedAt = Date.now();
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const lane = options.orderedLane;
  // The ordered lane's slot comes after the workers'; it is restarted, and must finish, like them.
  const laneSlot = lane !== undefined ? options.workers + 1 : 0;
  const label = (slot: number): string => (slot === laneSlot ? 'ordered lane' : `worker ${slot}`);
  const onStderr = options.onStderr ?? ((worker: number, line: string) => process.stderr.write(`${tagLine(worker === laneSlot ? 'ordered lane' : worker, line)}\n`));
  const maxRestarts = options.maxRestarts ?? 5;
  const baseDelay = options.restartDelayMs ?? 1000;
  const [file, ...args] = options.command;
  const env = { ...(options.env ?? process.env) };
  const live = new Set<ChildProcess>();
  const exits: WorkerExit[] = [];
  let stopping = options.signal?.aborted === true;
  let fatal: string | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const wakeups = new Set<() => void>();

  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    for (const child of live) child.kill('SIGTERM');
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const wake of wakeups) wake();
  };
  // The supervisor exiting for any reason (a second Ctrl-C exits at once) takes the workers along:
  // a worker that already has its SIGTERM exits at once on this second one.
  const onExit = (): void => {
    for (const child of live) child.kill('SIGTERM');
  };
  options.signal?.addEventListener('abort', stopAll, { once: true });
  process.on('exit', onExit);

  const runOnce = (worker: number): Promise<WorkerExit> =>
    new Promise((resolve) => {
      const laneEnv = lane === undefined ? {} : { [LANE_ENV]: worker === laneSlot ? 'ordered' : 'parallel' };
      const child = spawn(file, args, {
        env: { ...env, [WORKER_INDEX_ENV]: worker === laneSlot ? 'ordered' : String(worker), [WORKER_COUNT_ENV]: String(options.workers), ...laneEnv },
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // Its own process group: a terminal's Ctrl-C goes to the supervisor only, which forwards one SIGTERM.
        detached: true,
      });
      live.add(child);
      // A stop that came while this worker was starting reaches it too.
      if (stopping) child.kill('SIGTERM');
      report(
        worker === laneSlot
          ? `sluice: ordered lane started (pid ${child.pid ?? '?'}): ${lane?.description ?? ''}`
          : `sluice: worker ${worker}/${options.workers} started (pid ${child.pid ?? '?'})`,
      );
      let stdout = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      let partial = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.length > 0) onStderr(worker, line);
      });
      child.on('message', (message: MetricsMessage) => options.onMessage?.(worker, message));
      child.on('error', (error) => report(`sluice: ${label(worker)} could not start: ${error.message}`));
      child.on('close', (code, signal) => {
        live.delete(child);
        if (partial.length > 0) onStderr(worker, partial);
        let result: WorkerRunResult | undefined;
        if (code === 0) {
          try {
            result = JSON.parse(stdout) as WorkerRunResult;
          } catch {
            report(`sluice: ${label(worker)} ended without a readable result`);
          }
        }
        resolve({ worker, pid: child.pid, code, signal, ...(result !== undefined ? { result } : {}) });
      });
    });

  const slot = async (worker: number): Promise<void> => {
    for (let restarts = 0; ; restarts++) {
      const exit = await runOnce(worker);
      exits.push(exit);
      if (exit.code === 0 || stopping) return;
      const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      if (exit.code === 2) {
        fatal = `${label(worker)} ${how} (a configuration error; see its message above)`;
        report(`sluice: ${fatal}; stopping the others`);
        stopAll();
        return;
      }
      if (restarts >= maxRestarts) {
        report(`sluice: ${label(worker)} ${how}; it was restarted ${maxRestarts} times already, so its slot stays empty`);
        if (worker === laneSlot) {
          // Without the ordered lane the features would be missing, not just slower: stop.
          fatal = `the ordered lane ${how} ${maxRestarts + 1} times`;
          stopAll();
        }
        return;
      }
      const delayMs = Math.min(30_000, baseDelay * 2 ** restarts);
      report(`sluice: ${label(worker)} ${how}; restarting it in ${(delayMs / 1000).toFixed(1)} s — what it had not committed is delivered again`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          wakeups.delete(resolve);
          resolve();
        }, delayMs);
        timers.add(timer);
        wakeups.add(resolve);
      });
      if (stopping) return;
    }
  };

  try {
    await Promise.all(Array.from({ length: options.workers + (lane !== undefined ? 1 : 0) }, (_, i) => slot(i + 1)));
  } finally {
    options.signal?.removeEventListener('abort', stopAll);
    process.off('exit', onExit);
  }
  if (fatal !== null) throw new WorkersFailedError(`--workers ${options.workers}: ${fatal}`);
  const finished = exits.filter((e) => e.result !== undefined && e.worker !== laneSlot).map((e) => e.result as WorkerRunResult);
  const laneResult = exits.find((e) => e.worker === laneSlot && e.result !== undefined)?.result;
  if (lane !== undefined && laneResult === undefined) {
    throw new WorkersFailedError(
      `--workers ${options.workers}: the ordered lane (${lane.description}) did not finish its run. Nothing it had not committed was acknowledged; run again to complete it.`,
    );
  }
  if (finished.length === 0) {
    throw new WorkersFailedError(
      `--workers ${options.workers}: no worker finished its run (${exits.map((e) => `worker ${e.worker}: ${e.signal ?? `code ${e.code}`}`).join(', ')}). ` +
        'Nothing uncommitted was acknowledged; fix the cause shown above and run again.',
    );
  }
  const stoppedBy = options.signal?.aborted === true ? 'signal' : 'end-of-input';
  const combined = combineRunResults(finished, Date.now() - startedAt, stoppedBy);
  return { exits, result: laneResult !== undefined ? withOrderedLane(combined, laneResult) : combined };
}

/**
 * The sum of several workers' run results: every count added up, step by step, table by table,
 * topic by topic. Latency percentiles cannot be added, so the worst worker's are kept.
 *
 * @example
 * const total = combineRunResults([a, b, c], 60_000, 'end-of-input'); // total.accounting.received === a + b + c
 */
export function combineRunResults(results: readonly WorkerRunResult[], elapsedMs: number, stoppedBy: RunResult['stoppedBy']): WorkerRunResult {
  const first = results[0];
  if (first === undefined) throw new WorkersFailedError('no worker results to combine');
  const steps = new Map<string, { step: string; received: number; passed: number; errored: number; filtered: number }>();
  const tables = new Map<string, { table: string; rows: number; inserted: number; duplicates: number }>();
  const topics = new Map<string, { topic: string; published: number; duplicates: number }>();
  const errorsByType: Record<string, number> = {};
  const lookups = new Map<string, LookupStats>();
  let received = 0;
  let written = 0;
  let errored = 0;
  let filtered = 0;
  let sideErrors = 0;
  for (const r of results) {
    const a = r.accounting;
    received += a.received;
    written += a.written;
    errored += a.errored;
    filtered += a.filtered;
    sideErrors += a.sideErrors;
    for (const s of a.steps) {
      const t = steps.get(s.step) ?? { step: s.step, received: 0, passed: 0, errored: 0, filtered: 0 };
      t.received += s.received;
      t.passed += s.passed;
      t.errored += s.errored;
      t.filtered += s.filtered;
      steps.set(s.step, t);
    }
    for (const s of a.tables) {
      const t = tables.get(s.table) ?? { table: s.table, rows: 0, inserted: 0, duplicates: 0 };
      t.rows += s.rows;
      t.inserted += s.inserted;
      t.duplicates += s.duplicates;
      tables.set(s.table, t);
    }
    for (const s of a.topics) {
      const t = topics.get(s.topic) ?? { topic: s.topic, published: 0, duplicates: 0 };
      t.published += s.published;
      t.duplicates += s.duplicates;
      topics.set(s.topic, t);
    }
    for (const [type, count] of Object.entries(a.errorsByType)) errorsByType[type] = (errorsByType[type] ?? 0) + count;
    for (const l of r.lookups) {
      const sum = lookups.get(l.name) ?? { name: l.name, source: l.source, hits: 0, misses: 0, notFound: 0, loads: 0 };
      sum.hits += l.hits;
      sum.misses += l.misses;
      sum.notFound += l.notFound;
      sum.loads += l.loads;
      lookups.set(l.name, sum);
    }
  }
  const stepList = [...steps.values()];
  const accounting: AccountingReport = {
    pipeline: first.accounting.pipeline,
    received,
    written,
    errored,
    filtered,
    sideErrors,
    balanced:
      results.every((r) => r.accounting.balanced) &&
      received === written + errored + filtered &&
      stepList.every((s) => s.received === s.passed + s.errored + s.filtered),
    steps: stepList,
    tables: [...tables.values()],
    topics: [...topics.values()],
    errorsByType: Object.fromEntries(Object.entries(errorsByType).sort((x, y) => y[1] - x[1])),
  };
  const elapsed = Math.max(1, elapsedMs);
  return {
    accounting,
    elapsedMs: elapsed,
    eventsPerSecond: (received / elapsed) * 1000,
    latency: {
      p50Ms: Math.max(...results.map((r) => r.latency.p50Ms)),
      p99Ms: Math.max(...results.map((r) => r.latency.p99Ms)),
      maxMs: Math.max(...results.map((r) => r.latency.maxMs)),
    },
    stoppedBy,
    lookups: [...lookups.values()],
  };
}

/**
 * The workers' combined result with the ordered lane's beside it. The record books stay the
 * workers' (the lane read every message a second time); what the lane wrote — its tables, topics
 * and lookups — is added, since the run's summary reports what the run as a whole did.
 */
function withOrderedLane(combined: WorkerRunResult, lane: WorkerRunResult): SupervisedResult {
  const both = combineRunResults([combined, lane], combined.elapsedMs, combined.stoppedBy);
  const { tables, topics } = both.accounting;
  return { ...combined, accounting: { ...combined.accounting, tables, topics }, lookups: both.lookups, orderedLane: lane };
}

/**
 * Reads `--workers N`: a whole number from 1 up.
 *
 * @example
 * parseWorkers('3'); // 3
 */
export function parseWorkers(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(n >= 1) || !Number.isSafeInteger(n))
    throw new ConfigError(`--workers "${text}" is not a number of worker processes: use a whole number from 1 (e.g. --workers 3)`);
  return n;
}

export interface RunWorkersOptions extends WorkerPlan {
  /** The supervisor's command line (default `process.argv`): workers run it again, see workerArgs. */
  readonly argv?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onMessage?: SuperviseOptions['onMessage'];
  readonly report?: SuperviseOptions['report'];
}

/**
 * `sluice run … --workers N`: checks the plan (see checkWorkerPlan), starts N copies of this very
 * command line as workers, and returns their combined result.
 *
 * @example
 * const result = await runWorkers({ workers: 3, definition, warehouseUrl, busUrl, onlineUrl, signal });
 */
export async function runWorkers(options: RunWorkersOptions): Promise<SupervisedResult> {
  checkWorkerPlan(options);
  const argv = options.argv ?? process.argv;
  const script = argv[1];
  if (script === undefined) throw new ConfigError('cannot start workers: this process was not started from a script (process.argv[1] is empty)');
  // A pipeline without features still opens the default online store, an embedded one in the
  // working folder: N processes must not all open that for writing. A later --online still wins.
  const online = inspectPipeline(options.definition, options.env ?? process.env).usesOnlineStore ? [] : ['--online', 'memory:'];
  const run = await superviseWorkers({
    workers: options.workers,
    // The same Node flags (e.g. --import tsx in development) and script, with the worker's arguments.
    command: [process.execPath, ...process.execArgv, script, ...online, ...workerArgs(argv.slice(2))],
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onMessage !== undefined ? { onMessage: options.onMessage } : {}),
    ...(options.report !== undefined ? { report: options.report } : {}),
    ...(options.definition.orderedLane !== undefined ? { orderedLane: options.definition.orderedLane } : {}),
  });
  return run.result;
}
