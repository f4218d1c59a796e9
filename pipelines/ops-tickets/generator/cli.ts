import { type Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../../../src/core/errors.js';
import { OPS_PIPELINE } from '../columns.js';
import { type IsoDate, isIsoDate } from '../days.js';
import { DEFAULT_PER_DAY, generateOpsTicketFiles } from './index.js';

function isoDateFlag(flag: string): (text: string) => IsoDate {
  return (text) => {
    if (!isIsoDate(text)) throw new InvalidArgumentError(`${flag} "${text}" is not a date: use YYYY-MM-DD`);
    return text;
  };
}

/**
 * The `sluice generate` flags only ops-tickets uses: it writes one CSV per day in a folder rather
 * than JSONL lines. Added to the shared command so `sluice generate ops-tickets --from … --to …
 * --out DIR --split-by day` works; the other generators ignore them. `--to` is the command's
 * existing flag (a bus URL for the JSONL generators); for ops-tickets its value is the last day.
 */
export const OPS_GENERATE_OPTIONS = Object.freeze({
  from: new Option('--from <date>', `${OPS_PIPELINE}: first day to generate (YYYY-MM-DD), with --to LAST_DAY`).argParser(isoDateFlag('--from')),
  splitBy: new Option('--split-by <unit>', `${OPS_PIPELINE}: one file per day under --out (YYYY/MM/YYYY-MM-DD.csv)`).choices(['day']),
  perDay: new Option('--per-day <n>', `${OPS_PIPELINE}: average tickets on a weekday (default ${DEFAULT_PER_DAY}, about 95 MB for Jan–Oct)`).argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--per-day "${v}" is not a whole number ≥ 0`);
    return n;
  }),
});

interface OpsGenerateFlags {
  readonly from?: IsoDate;
  readonly to?: string;
  readonly splitBy?: string;
  readonly perDay?: number;
  readonly out?: string;
  readonly seed: string;
  readonly badRate: number;
}

/**
 * `sluice generate ops-tickets …`: day files in the seed's partitioned layout, with a share of bad
 * rows (2% unless --bad-rate is given). Prints what it wrote on stderr.
 */
export function generateOpsFromCli(flags: OpsGenerateFlags, command: Command, quiet: boolean): void {
  if (flags.from === undefined || flags.to === undefined || flags.out === undefined || flags.out === '-') {
    throw new ConfigError(`${OPS_PIPELINE} writes one CSV per day into a folder: use --from YYYY-MM-DD --to YYYY-MM-DD --out DIR --split-by day`);
  }
  const to = isoDateFlag('--to')(flags.to);
  if (to < flags.from) throw new ConfigError(`--to ${flags.to} is before --from ${flags.from}`);
  const badRate = command.getOptionValueSource('badRate') === 'default' ? 0.02 : flags.badRate;
  let lastReport = Date.now();
  const result = generateOpsTicketFiles({
    from: flags.from,
    to,
    out: flags.out,
    seed: flags.seed,
    badRate,
    ...(flags.perDay !== undefined ? { perDay: flags.perDay } : {}),
    onDay: ({ date }) => {
      if (!quiet && Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        process.stderr.write(`generate ${OPS_PIPELINE}: ${date}\n`);
      }
    },
  });
  const bad = Object.values(result.bad).reduce((s, v) => s + v, 0);
  process.stderr.write(
    `${OPS_PIPELINE}: ${result.days} day files, ${result.rows.toLocaleString('en-US')} rows (${bad.toLocaleString('en-US')} bad), ` +
      `${(result.bytes / 1e6).toFixed(1)} MB written to ${flags.out}\n`,
  );
}
