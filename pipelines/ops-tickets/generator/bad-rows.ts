import type { Random } from '../../../src/generate/random.js';
import { csvLine } from '../columns.js';
import { addDays, type IsoDate } from '../days.js';

/** A planted bad row and the error type the loader must give it. */
export interface BadRow {
  readonly line: string;
  readonly errorType: 'bad_timestamp' | 'missing_field' | 'invalid_value' | 'inconsistent_times' | 'wrong_partition' | 'malformed_row' | 'duplicate_ticket';
}

const KINDS = [
  ['bad_timestamp', 24],
  ['missing_field', 14],
  ['invalid_value', 16],
  ['inconsistent_times', 14],
  ['wrong_partition', 6],
  ['malformed_row', 10],
  ['duplicate_ticket', 16],
] as const;
const TOTAL = KINDS.reduce((s, [, w]) => s + w, 0);

/**
 * Turns a good ticket (fields in column order) into one bad row of a drawn kind: the mistakes real
 * exports make — a date in another format or an impossible one, an empty id, an unknown priority,
 * resolution before creation, a row filed under the wrong day, a broken column count, a row sent twice.
 */
export function badRow(rng: Random, fields: readonly string[], goodLines: readonly string[], date: IsoDate): BadRow | null {
  let u = rng.float() * TOTAL;
  let kind: BadRow['errorType'] = 'bad_timestamp';
  for (const [k, w] of KINDS) {
    if (u < w) {
      kind = k;
      break;
    }
    u -= w;
  }
  const f = [...fields];
  switch (kind) {
    case 'bad_timestamp': {
      const created = f[1] as string;
      const variants = [
        `${created.slice(8, 10)}/${created.slice(5, 7)}/${created.slice(0, 4)} ${created.slice(11, 16)}`,
        `${created.slice(0, 4)}-02-30 ${created.slice(11)}`,
        `${created.slice(0, 10)}T${created.slice(11)}Z`,
        'N/A',
      ];
      f[1] = rng.pick(variants);
      break;
    }
    case 'missing_field':
      if (rng.chance(0.5)) f[0] = '';
      else f[6] = '';
      break;
    case 'invalid_value': {
      const which = rng.int(0, 2);
      if (which === 0) f[6] = rng.pick(['Urgent', 'P0', 'asap']);
      else if (which === 1) f[12] = rng.pick(['-4', 'abc', '0']);
      else f[13] = rng.pick(['-1', 'two']);
      break;
    }
    case 'inconsistent_times': {
      // Resolved an hour before it was created: a clock or a copy-paste mistake.
      const created = Date.parse(`${(f[1] as string).replace(' ', 'T')}Z`);
      const before = new Date(created - 3_600_000).toISOString();
      f[3] = `${before.slice(0, 10)} ${before.slice(11, 19)}`;
      break;
    }
    case 'wrong_partition':
      f[1] = `${addDays(date, -1)}${(f[1] as string).slice(10)}`;
      break;
    case 'malformed_row':
      // Built from fields, never by cutting text, so a quoted comma cannot leave a quote open.
      return { line: csvLine(rng.chance(0.5) ? [...f, 'extra'] : f.slice(0, f.length - 2)), errorType: kind };
    case 'duplicate_ticket': {
      // The same good row sent again a little later in the file: the first copy loads, this one is the error.
      if (goodLines.length === 0) return null;
      return { line: goodLines[goodLines.length - 1 - rng.int(0, Math.min(20, goodLines.length - 1))] as string, errorType: kind };
    }
  }
  return { line: csvLine(f), errorType: kind };
}
