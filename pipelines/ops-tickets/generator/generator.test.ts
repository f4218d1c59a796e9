import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { OPS_CSV_COLUMNS, OPS_CSV_HEADER } from '../columns.js';
import { listDayFiles } from '../layout.js';
import { tempDir } from '../test/support.js';
import { generateOpsDay, generateOpsTicketFiles } from './index.js';
import { expectedVolume, loadFactor } from './tickets.js';

describe('ops-tickets generator', () => {
  it('writes one CSV per day in the YYYY/MM/YYYY-MM-DD.csv layout, each starting with the header', () => {
    const dir = tempDir();
    const result = generateOpsTicketFiles({ from: '2025-02-27', to: '2025-03-02', out: dir, seed: 's', perDay: 50 });
    const files = listDayFiles(dir);
    assert.deepEqual(files.map((f) => f.date), ['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02']);
    assert.ok(files.every((f) => readFileSync(f.path, 'utf8').startsWith(`${OPS_CSV_HEADER}\n`)));
    assert.equal(result.days, 4);
    assert.match(files[2]?.path ?? '', /2025[/\\]03[/\\]2025-03-01\.csv$/);
  });

  it("a day's bytes depend on the seed and the date only, not on the range generated", () => {
    const a = generateOpsDay('2025-10-31', { seed: '7', perDay: 200, badRate: 0.02 });
    const b = generateOpsDay('2025-10-31', { seed: '7', perDay: 200, badRate: 0.02 });
    const c = generateOpsDay('2025-10-31', { seed: '8', perDay: 200, badRate: 0.02 });
    assert.equal(a.csv, b.csv);
    assert.notEqual(a.csv, c.csv);
    const dir = tempDir();
    generateOpsTicketFiles({ from: '2025-10-30', to: '2025-11-01', out: join(dir, 'x'), seed: '7', perDay: 200 });
    assert.equal(readFileSync(join(dir, 'x', '2025', '10', '2025-10-31.csv'), 'utf8'), a.csv);
  });

  it('makes realistic tickets: ids rise with time, lifecycles are ordered, good rows have 15 fields', () => {
    const day = generateOpsDay('2025-06-02', { seed: 'r', perDay: 400, badRate: 0 });
    const rows = parse(day.csv, { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, day.rows);
    assert.ok(rows.length > 300, 'a Monday in June has more than the base volume');
    let previous = '';
    for (const r of rows) {
      assert.equal(Object.keys(r).length, OPS_CSV_COLUMNS.length);
      assert.ok((r.created_at as string) >= previous, 'arrivals in time order');
      previous = r.created_at as string;
      assert.ok((r.created_at as string).startsWith('2025-06-02 '));
      if (r.first_response_at !== '') assert.ok((r.first_response_at as string) >= (r.created_at as string));
      if (r.resolved_at !== '') assert.ok((r.resolved_at as string) >= (r.created_at as string));
      if (r.closed_at !== '') assert.ok((r.closed_at as string) >= (r.resolved_at as string));
      assert.ok(['Critical', 'High', 'Medium', 'Low'].includes(r.priority as string));
    }
    assert.equal(new Set(rows.map((r) => r.ticket_id)).size, rows.length, 'ticket ids are unique');
  });

  it('plants bad rows at about the asked rate, of every kind', () => {
    const dir = tempDir();
    const result = generateOpsTicketFiles({ from: '2025-01-01', to: '2025-03-31', out: dir, seed: 'bad', perDay: 200, badRate: 0.05 });
    const bad = Object.values(result.bad).reduce((s, v) => s + v, 0);
    assert.ok(bad / result.rows > 0.04 && bad / result.rows < 0.06, `${bad} of ${result.rows}`);
    assert.deepEqual(Object.keys(result.bad).sort(), ['bad_timestamp', 'duplicate_ticket', 'inconsistent_times', 'invalid_value', 'malformed_row', 'missing_field', 'wrong_partition']);
  });

  it('weekends are quieter, the year grows, and the autumn staffing gap slows resolution', () => {
    assert.ok(expectedVolume('2025-06-07', 100) < expectedVolume('2025-06-09', 100) * 0.6, 'Saturday vs Monday');
    assert.ok(expectedVolume('2025-12-01', 100) > expectedVolume('2025-01-06', 100), 'December Monday vs January Monday');
    assert.ok(loadFactor('2025-11-06') > 2 && loadFactor('2025-03-01') < 1.01);
  });
});
