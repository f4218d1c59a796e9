import { Command, CommanderError, Option } from 'commander';
import { SluiceError } from '../core/errors.js';
import { registerBackfill } from './commands/backfill.js';
import { registerDaily } from './commands/daily.js';
import { registerDemo } from './commands/demo.js';
import { registerFeatures } from './commands/features.js';
import { registerDlp } from './commands/dlp.js';
import { registerExport } from './commands/export.js';
import { registerGenerate } from './commands/generate.js';
import { registerPipelines } from './commands/pipelines.js';
import { registerPublish } from './commands/publish.js';
import { registerQuery } from './commands/query.js';
import { registerRun } from './commands/run.js';
import { registerSchedule } from './commands/schedule.js';
import { registerWindows } from './commands/windows.js';
import { DEFAULT_BUS, DEFAULT_WAREHOUSE } from './connect.js';

/** The `sluice` command line. Exported for tests, which run it in-process. */
export function buildProgram(): Command {
  const program = new Command('sluice')
    .description('Streaming ETL and real-time ML features in TypeScript — Pub/Sub → Dataflow → BigQuery pipelines on a laptop.')
    .version('0.1.0')
    .addOption(new Option('--warehouse <url>', `warehouse: duckdb:PATH or postgres://user@host/db[?schema=s] (env SLUICE_WAREHOUSE)`).default(undefined, DEFAULT_WAREHOUSE))
    .addOption(new Option('--bus <url>', `bus: local:DIR or nats://host:4222 (env SLUICE_BUS)`).default(undefined, DEFAULT_BUS))
    .addOption(new Option('--online <url>', 'online feature store: embedded:DIR or redis://HOST:PORT (env SLUICE_ONLINE)').default(undefined, 'embedded:.sluice/online beside the warehouse'))
    .option('-q, --quiet', 'no progress lines')
    .addOption(new Option('--log-level <level>', 'operator log level on stderr (env SLUICE_LOG_LEVEL)').choices(['debug', 'info', 'warn', 'error', 'silent']))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Start here:
  $ sluice demo                                   generate tickets, run the pipeline, summarise
  $ sluice generate municipal-tickets -n 10k > t.jsonl
  $ sluice publish tickets.new t.jsonl && sluice run municipal-tickets --until-idle
  $ sluice query "SELECT * FROM cleansed_tickets LIMIT 5"

Environment:
  SLUICE_PII_KEY     secret for HMAC-SHA-256 PII hashing (required by run; demo uses a demo key)
  SLUICE_PII_HASH    hmac-sha256 (default) or sha256 (plain, for compatibility with old tables)
  SLUICE_WAREHOUSE   default for --warehouse;  SLUICE_BUS  default for --bus`,
    );
  registerDemo(program);
  registerRun(program);
  registerFeatures(program);
  registerPublish(program);
  registerGenerate(program);
  registerBackfill(program);
  registerDaily(program);
  registerSchedule(program);
  registerQuery(program);
  registerExport(program);
  registerDlp(program);
  registerWindows(program);
  registerPipelines(program);
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof SluiceError) {
      process.stderr.write(`sluice: ${error.message}\n`);
      process.exit(2);
    }
    // Anything else (a SQL error from the warehouse, a server that refused us): one clear line,
    // the stack only on request.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sluice: ${message}\n${process.env.SLUICE_DEBUG ? `${(error as Error).stack ?? ''}\n` : '(set SLUICE_DEBUG=1 for a stack trace)\n'}`);
    process.exit(1);
  }
}

await main();
