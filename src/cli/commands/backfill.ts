import type { Command } from 'commander';
import { checkOpsPipeline, formatOpsSummary } from '../../../pipelines/ops-tickets/cli-support.js';
import { parseIsoDate } from '../../../pipelines/ops-tickets/days.js';
import { runBackfill } from '../../../pipelines/ops-tickets/jobs.js';
import { openOpsBackend } from '../../../pipelines/ops-tickets/open-backend.js';
import { convertIncidentLog, INCIDENT_LOG_PROFILE } from '../../../pipelines/ops-tickets/profiles/incident-log.js';
import { ConfigError } from '../../core/errors.js';
import { openWarehouse } from '../connect.js';
import { type GlobalOptions, warehouseUrl } from '../context.js';

interface BackfillFlags {
  readonly from?: string;
  readonly to?: string;
  readonly replace?: boolean;
  readonly profile?: string;
  readonly json?: boolean;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('load historical day files into the warehouse and build the daily KPI tables, in one transaction (SQL inside the warehouse)')
    .argument('<pipeline>', 'ops-tickets')
    .argument('<dir>', 'data folder of day files YYYY/MM/YYYY-MM-DD.csv (with --profile: the file to map)')
    .option('--from <date>', 'first day to load, YYYY-MM-DD (default: the first day file)', (v) => parseIsoDate(v, '--from'))
    .option('--to <date>', 'last day to load, YYYY-MM-DD (default: the last day file)', (v) => parseIsoDate(v, '--to'))
    .option('--replace', 'reprocess dates already in ingestion_state (and rebuild the later days they carry into)')
    .option('--profile <name>', `read a foreign layout: ${INCIDENT_LOG_PROFILE} (a ServiceNow incident event log)`)
    .option('--json', 'print the run result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ sluice generate ops-tickets --from 2025-01-01 --to 2025-12-31 --out ops-data --split-by day
  $ sluice backfill ops-tickets ops-data --from 2025-01-01 --to 2025-10-31
  $ sluice daily ops-tickets ops-data                  # then 2025-11-01, the next day, …
  $ sluice backfill ops-tickets ../shared/data/real/incident-event-log.csv --profile incident-log
  $ sluice --warehouse postgres://postgres@127.0.0.1:5432/test?schema=ops backfill ops-tickets ops-data

Tables: tickets_raw, fact_tickets, features_daily, daily_agent_load, backlog_daily, daily_ops_metrics,
ingestion_state, ops_ticket_errors (metric definitions: pipelines/ops-tickets/README.md).`,
    )
    .action(async (pipeline: string, dir: string, flags: BackfillFlags, command: Command) => {
      checkOpsPipeline(pipeline, 'backfill');
      const global = command.optsWithGlobals() as GlobalOptions;
      if (flags.profile !== undefined && flags.profile !== INCIDENT_LOG_PROFILE) {
        throw new ConfigError(`ops-tickets has no input profile "${flags.profile}"; known: ${INCIDENT_LOG_PROFILE}`);
      }
      const converted = flags.profile === undefined ? null : convertIncidentLog(dir);
      const backend = await openOpsBackend(warehouseUrl(global), openWarehouse);
      try {
        const result = await runBackfill({
          backend,
          dir: converted?.dir ?? dir,
          ...(flags.from !== undefined ? { from: flags.from } : {}),
          ...(flags.to !== undefined ? { to: flags.to } : {}),
          ...(flags.replace === true ? { replace: true } : {}),
          ...(converted !== null ? { preparedErrors: converted.errors, sourceOf: () => dir } : {}),
          ...(global.quiet === true ? {} : { onPhase: (phase: string) => process.stderr.write(`backfill: ${phase}\n`) }),
        });
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify({ ...result, ...(converted !== null ? { profile: converted.accounting } : {}), warehouse: backend.location }, null, 2)}\n`);
        } else {
          if (converted !== null) {
            const a = converted.accounting;
            process.stdout.write(
              `${INCIDENT_LOG_PROFILE}: ${a.events.toLocaleString('en-US')} event rows → ${a.tickets.toLocaleString('en-US')} incidents (one ticket row each) + ` +
                `${a.superseded.toLocaleString('en-US')} earlier events merged + ${a.errored.toLocaleString('en-US')} unusable (error rows)\n`,
            );
          }
          process.stdout.write(`${await formatOpsSummary(result, backend)}\n`);
        }
      } finally {
        converted?.dispose();
        await backend.close();
      }
    });
}
