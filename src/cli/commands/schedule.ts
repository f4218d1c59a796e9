import type { Command } from 'commander';
import { checkOpsPipeline, lastScheduleFire, opsScheduleFire } from '../../../pipelines/ops-tickets/cli-support.js';
import { ensureOpsTables } from '../../../pipelines/ops-tickets/jobs.js';
import { openOpsBackend } from '../../../pipelines/ops-tickets/open-backend.js';
import { type LocalTime, parseLocalTime } from '../../../pipelines/ops-tickets/schedule/fire-times.js';
import { runSchedule, sleepUntilWallClock } from '../../../pipelines/ops-tickets/schedule/scheduler.js';
import { loadZone } from '../../../pipelines/ops-tickets/schedule/zone.js';
import { systemClock } from '../../time/clock.js';
import { openWarehouse } from '../connect.js';
import { type GlobalOptions, warehouseUrl, withStopSignal } from '../context.js';
import { parseCount } from '../parse-flags.js';

interface ScheduleFlags {
  readonly at: LocalTime;
  readonly tz: string;
  readonly maxCatchUp: number;
}

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('run the daily job every day at a local time, catching up the days missed while it was not running')
    .argument('<pipeline>', 'ops-tickets')
    .argument('<dir>', 'data folder of day files YYYY/MM/YYYY-MM-DD.csv')
    .requiredOption('--at <HH:MM>', 'local time of day to run, 24-hour', parseLocalTime)
    .option('--tz <zone>', 'IANA time zone (e.g. Asia/Kolkata) or fixed offset (+05:30)', 'UTC')
    .option('--max-catch-up <n>', 'at most this many missed days are run on start', parseCount, 31)
    .addHelpText(
      'after',
      `
Examples:
  $ sluice schedule ops-tickets ops-data --at 08:00 --tz Asia/Kolkata
  $ sluice --warehouse postgres://postgres@127.0.0.1:5432/test?schema=ops schedule ops-tickets ops-data --at 06:30 --tz Europe/London

Each fire processes the next unprocessed date (like \`sluice daily\`) and is recorded in
ops_schedule_runs; a restart runs the fires missed since the last recorded one, oldest first.
Ctrl-C (SIGINT) or SIGTERM stops it between runs; a run in progress commits or rolls back whole.`,
    )
    .action(async (pipeline: string, dir: string, flags: ScheduleFlags, command: Command) => {
      checkOpsPipeline(pipeline, 'schedule');
      const global = command.optsWithGlobals() as GlobalOptions;
      const zone = loadZone(flags.tz);
      const backend = await openOpsBackend(warehouseUrl(global), openWarehouse);
      const log = (line: string): void => {
        process.stderr.write(`${line}\n`);
      };
      try {
        await ensureOpsTables(backend);
        await withStopSignal((signal) =>
          runSchedule({
            at: flags.at,
            zone,
            clock: systemClock,
            sleepUntil: (until, s) => sleepUntilWallClock(until, s, systemClock),
            lastFire: () => lastScheduleFire(backend),
            fire: opsScheduleFire(backend, dir, log),
            maxCatchUp: flags.maxCatchUp,
            signal,
            onEvent: (event) => {
              if (event.kind === 'waiting') log(`schedule: next run ${new Date(event.nextFire).toISOString()} (${String(flags.at.hour).padStart(2, '0')}:${String(flags.at.minute).padStart(2, '0')} ${zone.name})`);
              else if (event.kind === 'catching-up') log(`schedule: catching up ${event.fires.length} missed run(s)${event.dropped > 0 ? `, ${event.dropped} older ones skipped (--max-catch-up)` : ''}`);
            },
          }),
        );
      } finally {
        await backend.close();
      }
    });
}
