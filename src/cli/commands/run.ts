import { type Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { formatLookupStats } from '../../features/lookup.js';
import { findPipeline } from '../../../pipelines/index.js';
import { runJob, warehouseWantsOwnThread } from '../run-job.js';
import { formatRunSummary } from '../summary.js';
import { busUrl, type GlobalOptions, warehouseUrl, withConnections, withStopSignal } from '../context.js';
import { parseCount, parseDurationMs, parseThreads } from '../parse-flags.js';
import { parseListenAddress, serveMetrics, sluiceMetrics } from '../../observe/metrics.js';
import { checkWorkerPlan, parseWorkers, runWorkers, type SupervisedResult, type WorkerPlan } from '../../runtime/workers.js';
import { defaultOnlineUrl } from '../../features/open-online-store.js';
import { type Lane, parseLane } from '../../runtime/lanes.js';

/** `--lane`: parallel, ordered or all (all = undefined, the whole pipeline). */
function parseLaneFlag(value: string): Lane | undefined {
  try {
    return parseLane(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--input-topic TOPIC=FILE`, repeatable. */
function collectTopicFile(value: string, previous: Array<[string, string]>): Array<[string, string]> {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError(`"${value}" is not TOPIC=FILE, e.g. tickets.status=status.jsonl`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a pipeline: from its bus topic (streaming, until Ctrl-C), a file (batch), stdin, or an HTTP endpoint')
    .argument('<pipeline>', 'pipeline name, e.g. municipal-tickets (see `sluice pipelines`)')
    .option('-i, --input <file>', 'read a JSONL or CSV file (plain or .gz), or - for stdin, instead of the bus')
    .option('--input-topic <topic=file>', 'read this JSONL file as one more input topic, e.g. tickets.status=status.jsonl (repeatable)', collectTopicFile, [])
    .addOption(new Option('--format <format>', 'input format (default: from the file name)').choices(['jsonl', 'csv']))
    .option('--profile <name>', 'map a foreign file layout onto the pipeline input, e.g. la311')
    .option('--http <port>', 'accept JSON, NDJSON and Pub/Sub push requests on this port', parseCount)
    .option('--consumer <name>', 'durable consumer name on the bus (default: the pipeline name)')
    .option('--max-deliveries <n>', 'dead-letter a message the bus has delivered more than N times (NATS)', parseCount, 5)
    .option('--until-idle [duration]', 'stop once each input topic has been listened to this long with nothing new and its server holds nothing unsent for this consumer (default 2s)')
    .option('--flush-rows <n>', 'commit sinks every N records (default 1000 streaming, 25000 batch)', parseCount)
    .option('--flush-ms <duration>', 'commit sinks at least this often (default 30s streaming)', parseDurationMs)
    .addOption(new Option('--create-tables <mode>', 'create missing tables, or fail naming them').choices(['if-needed', 'never']))
    .option('--json', 'print the run result as JSON instead of the summary')
    .option('--threads <n|auto>', 'threads for the stateless steps (parse, hash, DLP, cleanse): auto = one per core, 0 = all on the main thread', parseThreads, 'auto')
    .option('--workers <n>', 'run N worker processes on the same bus consumer (needs nats:// and postgres://; prints the combined accounting)', parseWorkers, 1)
    .option('--lane <lane>', 'one lane of a pipeline split into lanes: parallel (per-record steps, any number of processes) or ordered (rolling features, exactly one process); --workers N starts both', parseLaneFlag)
    .option('--metrics-port <[host:]port>', 'serve Prometheus metrics at http://HOST:PORT/metrics (host default 127.0.0.1)', parseListenAddress)
    .addHelpText(
      'after',
      `
Examples:
  $ sluice publish tickets.new < tickets.jsonl && sluice run municipal-tickets --until-idle
  $ sluice run municipal-tickets --input tickets.jsonl.gz
  $ sluice run municipal-tickets --input ../shared/data/real/la311-2017-subset.csv --profile la311
  $ sluice run municipal-tickets --http 8080      # then POST JSON / NDJSON / Pub/Sub push bodies
  $ sluice --bus nats://127.0.0.1:4222 --warehouse postgres://postgres@127.0.0.1/test --online redis://127.0.0.1:6379 run municipal-tickets --workers 3 --metrics-port 9464

With --workers N, municipal-tickets runs in two lanes: N processes share steps 1–5 (parse, hash, DLP,
cleanse) on one consumer, and one more process runs steps 6–8 (rolling features) over every message
on a consumer of its own (<consumer>-ordered), so the features are exactly those of one process.
Started by hand instead: N × \`run municipal-tickets --lane parallel\` and 1 × \`--lane ordered\`.
Without --workers, such a pipeline reads its consumer in stream order, also across a dropped NATS
connection, and so wants it to itself: a second run on the same --consumer is refused.

Ctrl-C (SIGINT) or SIGTERM drains: in-flight records are committed and acknowledged, then it exits 0.`,
    )
    .action(async (name: string, flags: Record<string, unknown>, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions;
      const definition = findPipeline(name);
      const workers = flags.workers as number;
      if (workers > 1 && flags.lane !== undefined) {
        throw new ConfigError('--lane runs one lane in this process, and --workers N starts every lane itself: use one or the other');
      }
      // N workers: this process supervises N copies of this command and combines their results.
      // Checked before anything is opened, so a refusal leaves no trace (not even a DuckDB file).
      const plan: WorkerPlan | undefined =
        workers > 1
          ? {
              workers,
              definition,
              warehouseUrl: warehouseUrl(global),
              busUrl: busUrl(global),
              onlineUrl: (global as { online?: string }).online ?? process.env.SLUICE_ONLINE ?? defaultOnlineUrl(warehouseUrl(global)),
              otherInputs: [flags.input !== undefined && '--input', flags.http !== undefined && '--http', (flags.inputTopic as unknown[]).length > 0 && '--input-topic'].filter((f) => f !== false),
            }
          : undefined;
      if (plan !== undefined) checkWorkerPlan(plan);
      const metricsAddress = flags.metricsPort as ReturnType<typeof parseListenAddress> | undefined;
      await using _metrics = metricsAddress === undefined ? undefined : await serveMetrics(sluiceMetrics(), metricsAddress);
      // A supervisor of N workers writes next to nothing itself.
      const ownThread = plan === undefined && warehouseWantsOwnThread(definition, { threads: flags.threads as number | 'auto', ...(flags.lane !== undefined ? { lane: flags.lane as Lane } : {}) });
      await withConnections(global, async ({ warehouse, bus, logger }) =>
        withStopSignal(async (signal) => {
          const untilIdle = flags.untilIdle === undefined ? undefined : flags.untilIdle === true ? 2000 : parseDurationMs(String(flags.untilIdle));
          const supervised =
            plan !== undefined
              ? await runWorkers({
                  ...plan,
                  signal,
                  onMessage: (worker, message) => sluiceMetrics().observe(message, `worker ${worker}`),
                  ...(global.quiet === true ? { report: () => undefined } : {}),
                })
              : undefined;
          const result = supervised ?? await runJob({
            definition,
            warehouse,
            bus,
            signal,
            progress: global.quiet !== true,
            onEvent: (event) => logger.warn(event, event.kind === 'retrying' ? `retrying ${event.what}` : `recovered ${event.what}`),
            ...(typeof flags.input === 'string' ? { input: flags.input } : {}),
            ...((flags.inputTopic as Array<[string, string]>).length > 0 ? { inputTopics: flags.inputTopic as Array<[string, string]> } : {}),
            ...(typeof (global as { online?: unknown }).online === 'string' ? { online: (global as { online: string }).online } : {}),
            ...(typeof flags.format === 'string' ? { format: flags.format as 'jsonl' | 'csv' } : {}),
            ...(typeof flags.profile === 'string' ? { profile: flags.profile } : {}),
            ...(typeof flags.http === 'number' ? { httpPort: flags.http } : {}),
            ...(typeof flags.consumer === 'string' ? { consumer: flags.consumer } : {}),
            ...(typeof flags.maxDeliveries === 'number' ? { maxDeliveries: flags.maxDeliveries } : {}),
            ...(untilIdle !== undefined ? { untilIdleMs: untilIdle } : {}),
            ...(typeof flags.flushRows === 'number' ? { flushRows: flags.flushRows } : {}),
            ...(typeof flags.flushMs === 'number' ? { flushMs: flags.flushMs } : {}),
            ...(typeof flags.createTables === 'string' ? { createTables: flags.createTables as 'never' | 'if-needed' } : {}),
            threads: flags.threads as number | 'auto',
            ...(flags.lane !== undefined ? { lane: flags.lane as Lane } : {}),
          });
          if (flags.json === true) {
            process.stdout.write(`${JSON.stringify({ ...result, warehouse: warehouse.location }, null, 2)}\n`);
          } else {
            const tables = definition.build({ hash: (v) => v, env: process.env }).tables().map((t) => t.name);
            const lane = (result as SupervisedResult).orderedLane?.accounting;
            const laneLine =
              lane === undefined
                ? ''
                : `\n\nordered lane (${definition.orderedLane?.description ?? 'steps in stream order'}): read ${lane.received}, ` +
                  `through ${lane.written}, filtered ${lane.filtered} (status updates; bad records, which the workers report), errors ${lane.errored}${lane.balanced ? '' : ' — NOT BALANCED'}`;
            process.stdout.write(`${await formatRunSummary(definition, result, warehouse, tables)}${formatLookupStats(result.lookups)}${laneLine}\n\nwarehouse: ${warehouse.kind} ${warehouse.location}\n`);
          }
        }),
        { ownThread },
      );
    });
}
