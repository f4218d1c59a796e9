import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type IsoDate, isIsoDate } from './days.js';

/**
 * Where a day's CSV lives inside a data folder: the seed's partitioned layout
 * `YYYY/MM/YYYY-MM-DD.csv` (its bucket's `raw/2023/11/2023-11-01.csv`), split by created date.
 *
 * @example
 * dayFileRelativePath('2025-03-07'); // '2025/03/2025-03-07.csv'
 */
export function dayFileRelativePath(date: IsoDate): string {
  return `${date.slice(0, 4)}/${date.slice(5, 7)}/${date}.csv`;
}

/** The absolute path of a day's file under `dir`. */
export function dayFilePath(dir: string, date: IsoDate): string {
  return resolve(dir, dayFileRelativePath(date));
}

/**
 * Every day file present under `dir`, oldest first. Files that do not follow the layout (a README,
 * `2025/03/notes.csv`) are ignored rather than guessed at.
 *
 * @example
 * const days = listDayFiles('./ops-data'); // [{ date: '2025-01-01', path: '/…/2025/01/2025-01-01.csv' }, …]
 */
export function listDayFiles(dir: string): Array<{ date: IsoDate; path: string }> {
  const root = resolve(dir);
  const out: Array<{ date: IsoDate; path: string }> = [];
  if (!existsSync(root)) return out;
  for (const year of readdirSync(root)) {
    if (!/^\d{4}$/.test(year) || !statSync(join(root, year)).isDirectory()) continue;
    for (const month of readdirSync(join(root, year))) {
      if (!/^\d{2}$/.test(month) || !statSync(join(root, year, month)).isDirectory()) continue;
      for (const name of readdirSync(join(root, year, month))) {
        const date = name.slice(0, -'.csv'.length);
        if (!name.endsWith('.csv') || !isIsoDate(date) || !date.startsWith(`${year}-${month}-`)) continue;
        out.push({ date, path: join(root, year, month, name) });
      }
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
