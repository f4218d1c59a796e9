import { SluiceError } from '../../src/core/errors.js';
import type { IsoDate } from './days.js';

/** A day the job must read has no file. Nothing was written; the state is as it was. */
export class DayFileMissingError extends SluiceError {
  readonly dates: readonly IsoDate[];
  constructor(dates: readonly IsoDate[], where: string) {
    const shown = dates.length > 5 ? `${dates.slice(0, 5).join(', ')} … (${dates.length} days)` : dates.join(', ');
    super(
      'OPS_DAY_FILE_MISSING',
      `no day file for ${shown} under ${where} (expected YYYY/MM/YYYY-MM-DD.csv). Nothing was written and ingestion_state is unchanged; ` +
        `add the file(s) and run again, or generate them with \`sluice generate ops-tickets --from … --to … --out DIR --split-by day\`.`,
    );
    this.name = 'DayFileMissingError';
    this.dates = Object.freeze([...dates]);
  }
}

/** A date is already in ingestion_state and the run did not ask to replace it. */
export class DateAlreadyProcessedError extends SluiceError {
  readonly dates: readonly IsoDate[];
  constructor(dates: readonly IsoDate[]) {
    super(
      'OPS_DATE_ALREADY_PROCESSED',
      `${dates.length === 1 ? `date ${dates[0]} is` : `dates ${dates[0]} … ${dates[dates.length - 1]} are`} already in ingestion_state; a date is never processed twice. ` +
        `Pass --replace to reprocess deliberately.`,
    );
    this.name = 'DateAlreadyProcessedError';
    this.dates = Object.freeze([...dates]);
  }
}

/**
 * Processing these dates would leave a hole in the processed days: the backlog carries from each
 * day's row to the next, so days are processed in order without gaps.
 */
export class DateGapError extends SluiceError {
  constructor(message: string) {
    super('OPS_DATE_GAP', message);
    this.name = 'DateGapError';
  }
}

/** A day file whose header is not the ops-tickets header: the wrong file, or a changed export. */
export class DayFileHeaderError extends SluiceError {
  readonly path: string;
  constructor(path: string, found: string, expected: string) {
    super(
      'OPS_DAY_FILE_HEADER',
      `${path} does not start with the ops-tickets header.\n  expected: ${expected}\n  found:    ${found.slice(0, 300)}\n` +
        `Fix the export, or map a foreign layout with --profile (e.g. incident-log).`,
    );
    this.name = 'DayFileHeaderError';
    this.path = path;
  }
}
