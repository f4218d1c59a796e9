import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { findGenerator } from '../../../pipelines/generators.js';
import { SEED_QUERIES } from '../../../pipelines/health-claims/queries.js';
import { findPipeline } from '../../../pipelines/index.js';
import type { PipelineDefinition } from '../../core/pipeline-definition.js';
import type { Warehouse } from '../../core/warehouse.js';
import { DEMO_PII_KEY } from '../../privacy/hash-pii.js';
import type { RunResult } from '../../runtime/runner.js';
import { createLogger, type GlobalOptions, withStopSignal } from '../context.js';
import { openBus, openWarehouse } from '../connect.js';
import { parseCount } from '../parse-flags.js';
import { runJob, warehouseWantsOwnThread } from '../run-job.js';
import { formatRunSummary } from '../summary.js';
import { renderTable } from './query.js';
import { generateData } from './generate.js';
import { featureLookupSection } from './features.js';
import { formatLookupStats } from '../../features/lookup.js';
import type { JobResult } from '../run-job.js';

/** What the demo says about one pipeline: what it generates, what runs, what to try next. */
interface DemoProfile {
  /** e.g. "municipal tickets". */
  readonly records: string;
  /** The steps, for the "running …" line. */
  readonly steps: string;
  /** More to show after the run summary (e.g. the seed's example queries). */
  readonly afterSummary?: (warehouse: Warehouse) => Promise<string>;
  /** The "next:" commands; `rel` is the warehouse path as the user would type it, `dir` the demo folder. */
  next(rel: string, dir: string): string[];
}

const DEMO_PROFILES: Readonly<Record<string, DemoProfile>> = {
  'municipal-tickets': {
    records: 'municipal tickets',
    steps: 'tickets.new + tickets.status → parse → hash PII → DLP scan → raw_tickets → cleanse → cleansed_tickets → ward lookup → rolling features → ml_features → online store → tickets.ready_for_scoring',
    afterSummary: featureLookupSection,
    next: (rel) => [
      `npx sluice features backfill municipal-tickets --warehouse ${rel}`,
      `npx sluice query --warehouse ${rel} "SELECT category, count(*) AS tickets, round(avg(sentiment_score), 3) AS sentiment FROM cleansed_tickets GROUP BY 1 ORDER BY 2 DESC"`,
      `npx sluice query --warehouse ${rel} "SELECT error_type, step, count(*) AS n FROM ticket_errors GROUP BY ALL ORDER BY n DESC"`,
      `npx sluice run municipal-tickets --warehouse ${rel} --input ../shared/data/real/la311-2017-subset.csv --profile la311`,
      'echo "call me on +91 98450 12345" | npx sluice dlp',
      'npx sluice --help',
    ],
  },
  'health-claims': {
    records: 'health claims',
    steps: 'parse → validate → hash patient ids → enrich with fraud risk features → claims_events_stream',
    afterSummary: async (warehouse) => {
      const sections: string[] = ['the seed’s example queries (first rows)'];
      const titles: Record<keyof typeof SEED_QUERIES, string> = {
        recentClaims: 'recent claims',
        highRiskClaims: 'high-risk claims',
        errorAnalysis: 'error analysis',
      };
      for (const [name, sql] of Object.entries(SEED_QUERIES) as Array<[keyof typeof SEED_QUERIES, string]>) {
        const rows = await warehouse.query(sql);
        sections.push('', `-- ${titles[name]}: ${rows.length.toLocaleString('en-US')} row${rows.length === 1 ? '' : 's'}`, renderTable(rows.slice(0, 5)));
      }
      return sections.join('\n');
    },
    next: (rel, dir) => [
      `npx sluice query --warehouse ${rel} "SELECT provider_region, count(*) AS claims, count(*) FILTER (WHERE high_risk_flag) AS high_risk, round(avg(fraud_risk_score), 3) AS avg_score FROM claims_events_stream GROUP BY 1 ORDER BY 1"`,
      `npx sluice query --warehouse ${rel} "SELECT error, count(*) AS n FROM processing_errors GROUP BY ALL ORDER BY n DESC"`,
      `npx sluice export claims_events_stream --warehouse ${rel} --format parquet --out claims-parquet --partition-by-day day`,
      `npx sluice generate health-claims --rate 500/s --duration 60s --to local:${join(dir, 'bus')} & npx sluice run health-claims --bus local:${join(dir, 'bus')} --warehouse ${rel} --until-idle 5s`,
      'npx sluice --help',
    ],
  },
};

/** A demo for any pipeline with a generator: its steps as built, and a look at each table. */
function genericProfile(definition: PipelineDefinition): DemoProfile {
  const built = definition.build({ hash: (v) => v, env: {} });
  return {
    records: `${definition.name} records`,
    steps: built.nodes.map((n) => n.name).join(' → '),
    next: (rel) => [
      ...built.tables().filter((t) => !t.name.startsWith('_')).map((t) => `npx sluice query --warehouse ${rel} "SELECT * FROM ${t.name} LIMIT 10"`),
      'npx sluice --help',
    ],
  };
}

export interface DemoOptions {
  /** Any pipeline with a generator; municipal-tickets by default. */
  readonly pipeline?: string;
  readonly count: number;
  readonly seed: string;
  /** Recreated: the bus and the DuckDB file live here. */
  readonly dir: string;
  readonly global: GlobalOptions;
  /** Stops the run (draining). Default: SIGINT/SIGTERM while the pipeline runs. */
  readonly signal?: AbortSignal;
  /** Where the summary goes (default stdout) and the step lines (default stderr). */
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
}

export interface DemoResult {
  readonly result: RunResult;
  readonly warehousePath: string;
  readonly busUrl: string;
}

/**
 * `sluice demo`, callable in-process: generates the pipeline's test data (5% bad), publishes it
 * to an embedded bus under `dir`, runs the pipeline into `dir/sluice.duckdb` and prints the
 * summary. Tests run it into a temporary folder.
 *
 * @example
 * const { warehousePath } = await runDemo({ pipeline: 'health-claims', count: 5_000, seed: '1', dir: tmp, global: { quiet: true } });
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const pipelineName = options.pipeline ?? 'municipal-tickets';
  const definition = findPipeline(pipelineName);
  const topic = findGenerator(pipelineName).topics[0] ?? definition.input;
  const profile = DEMO_PROFILES[pipelineName] ?? genericProfile(definition);
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const err = options.err ?? ((text: string) => process.stderr.write(text));
  const { global, count, seed } = options;
  const dir = resolve(options.dir);
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, SLUICE_PII_KEY: process.env.SLUICE_PII_KEY ?? DEMO_PII_KEY, SLUICE_WARDS_CSV: process.env.SLUICE_WARDS_CSV ?? join(dir, 'wards.csv') };
  const usingDemoKey = process.env.SLUICE_PII_KEY === undefined;
  const busUrl = `local:${join(dir, 'bus')}`;
  const warehousePath = join(dir, 'sluice.duckdb');
  const startedAt = Date.now();

  err(`1/3 generating ${count.toLocaleString('en-US')} ${profile.records} (seed ${seed}, 5% bad records) and publishing to ${topic}…\n`);
  const counts = await generateData(pipelineName, { count, seed, badRate: 0.05, publish: true, outDir: dir }, { ...global, bus: busUrl, quiet: true });
  err(
    `    ${Object.entries(counts)
      .map(([t, c]) => `${t}: ${c.toLocaleString('en-US')}`)
      .join(', ')}\n`,
  );

  err(`2/3 running ${pipelineName} from the bus (${profile.steps})…\n`);
  const warehouse = await openWarehouse(`duckdb:${warehousePath}`, { ownThread: warehouseWantsOwnThread(definition, { env }) });
  const bus = await openBus(busUrl);
  const logger = createLogger(global);
  try {
    const run = (signal: AbortSignal): Promise<RunResult> =>
      runJob({
        definition,
        warehouse,
        bus,
        signal,
        env,
        untilIdleMs: 1000,
        progress: global.quiet !== true,
        onEvent: (event) => logger.warn(event, event.kind),
      });
    const result = options.signal !== undefined ? await run(options.signal) : await withStopSignal(run);
    err('3/3 summary\n\n');
    const tables = definition
      .build({ hash: (v) => v, env })
      .tables()
      .map((t) => t.name);
    const summary = (await formatRunSummary(definition, result, warehouse, tables)) + formatLookupStats((result as Partial<JobResult>).lookups ?? []);
    const extra = profile.afterSummary === undefined ? '' : `\n\n${await profile.afterSummary(warehouse)}`;
    const rel = relative(process.cwd(), warehousePath) || warehousePath;
    out(
      `${summary}${extra}\n\n` +
        `warehouse: ${warehousePath}\n` +
        (usingDemoKey ? 'PII hashed with HMAC-SHA-256 and the demo key (set SLUICE_PII_KEY for your own).\n' : '') +
        `demo finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n\n` +
        'next:\n' +
        profile
          .next(rel, relative(process.cwd(), dir) || dir)
          .map((line) => `  ${line}\n`)
          .join(''),
    );
    return { result, warehousePath, busUrl };
  } finally {
    await bus.close();
    await warehouse.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate a pipeline’s test data, publish it to the embedded bus, run the pipeline, and summarise')
    .argument('[pipeline]', 'which pipeline, e.g. health-claims (any with a generator: see sluice pipelines)', 'municipal-tickets')
    .option('-n, --count <n>', 'records to generate', parseCount, 100_000)
    .option('--seed <seed>', 'random seed', '42')
    .option('--dir <dir>', 'where the demo keeps its bus and DuckDB file (recreated each run)', 'sluice-demo')
    .addHelpText(
      'after',
      `
Everything runs on the embedded default: a durable log under <dir>/bus and a DuckDB file
<dir>/sluice.duckdb you can query afterwards. PII is hashed with a demo key unless SLUICE_PII_KEY
is set.

Examples:
  $ sluice demo                       municipal tickets (seed 000)
  $ sluice demo health-claims -n 50k  claims with fraud risk scores, then the seed's example queries`,
    )
    .action(async (pipeline: string, flags: { count: number; seed: string; dir: string }, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions;
      await runDemo({ pipeline, count: flags.count, seed: flags.seed, dir: flags.dir, global });
    });
}
