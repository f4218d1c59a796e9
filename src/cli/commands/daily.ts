import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkOpsPipeline, formatOpsSummary } from '../../../pipelines/ops-tickets/cli-support.js';
import { parseIsoDate } from '../../../pipelines/ops-tickets/days.js';
import { runDaily } from '../../../pipelines/ops-tickets/jobs.js';
import { openOpsBackend } from '../../../pipelines/ops-tickets/open-backend.js';
import { ConfigError } from '../../core/errors.js';
import { openWarehouse } from '../connect.js';
import { type GlobalOptions, warehouseUrl } from '../context.js';

interface DailyFlags {
  readonly date?: string;
  readonly replace?: boolean;
  readonly json?: boolean;
}

/**
 * Test hook, for crash tests only: when SLUICE_TEST_HOLD_OPS_TRANSACTION names a file, the daily
 * job writes that file once every model has run inside its transaction and then waits there for
 * ever, so a test can SIGKILL it at a known point without guessing with sleeps.
 */
const HOLD_ENV = 'SLUICE_TEST_HOLD_OPS_TRANSACTION';

async function holdInsideTransaction(marker: string): Promise<void> {
  writeFileSync(marker, `${process.pid}\n`);
  await new Promise<void>(() => {
    setInterval(() => undefined, 60_000);
  });
}

export function registerDaily(program: Command): void {
  program
    .command('daily')
    .description('process the next unprocessed day file only: append its facts, update that day\'s KPIs from the previous day\'s rows, record it — one transaction')
    .argument('<pipeline>', 'ops-tickets')
    .argument('<dir>', 'data folder of day files YYYY/MM/YYYY-MM-DD.csv')
    .option('--date <date>', 'process this date (YYYY-MM-DD) instead of the next one; a processed date is left alone unless --replace', (v) => parseIsoDate(v, '--date'))
    .option('--replace', 'with --date: reprocess a date already processed (and rebuild the later days it carries into)')
    .option('--json', 'print the run result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ sluice backfill ops-tickets ops-data --to 2025-10-31
  $ sluice daily ops-tickets ops-data                          # 2025-11-01; run again for 2025-11-02
  $ sluice daily ops-tickets ops-data --date 2025-11-01        # already processed: changes nothing
  $ sluice daily ops-tickets ops-data --date 2025-11-01 --replace

A missing day file is an error (exit 2) that leaves ingestion_state untouched.`,
    )
    .action(async (pipeline: string, dir: string, flags: DailyFlags, command: Command) => {
      checkOpsPipeline(pipeline, 'daily');
      if (flags.replace === true && flags.date === undefined) throw new ConfigError('--replace needs --date: name the day to reprocess');
      const global = command.optsWithGlobals() as GlobalOptions;
      const marker = process.env[HOLD_ENV];
      const backend = await openOpsBackend(warehouseUrl(global), openWarehouse);
      try {
        const result = await runDaily({
          backend,
          dir,
          ...(flags.date !== undefined ? { date: flags.date } : {}),
          ...(flags.replace === true ? { replace: true } : {}),
          ...(marker !== undefined && marker !== '' ? { beforeCommit: () => holdInsideTransaction(marker) } : {}),
        });
        if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...result, warehouse: backend.location }, null, 2)}\n`);
        else process.stdout.write(`${await formatOpsSummary(result, backend)}\n`);
      } finally {
        await backend.close();
      }
    });
}
