import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import { addDays, dateRange, dayOfYear, daysFrom, isIsoDate, isoDayOfWeek, parseIsoDate } from './days.js';
import { dayFileRelativePath } from './layout.js';
import { ratio } from './sql/dialect.js';
import { duckDbDialect } from './sql/duckdb.js';
import { openDuckDb, tempDir } from './test/support.js';
import { join } from 'node:path';

describe('ops-tickets days and layout', () => {
  it('does calendar arithmetic on YYYY-MM-DD', () => {
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2025-03-01', -1), '2025-02-28');
    assert.deepEqual(dateRange('2025-12-30', '2026-01-01'), ['2025-12-30', '2025-12-31', '2026-01-01']);
    assert.deepEqual(dateRange('2025-01-02', '2025-01-01'), []);
    assert.equal(daysFrom('2025-01-01', '2025-12-31'), 364);
    assert.equal(isoDayOfWeek('2025-11-02'), 7, 'a Sunday');
    assert.equal(dayOfYear('2025-12-31'), 365);
  });

  it('refuses dates that do not exist', () => {
    assert.equal(isIsoDate('2025-02-29'), false);
    assert.equal(isIsoDate('2024-02-29'), true);
    assert.throws(() => parseIsoDate('2025-13-01', '--from'), (e: unknown) => e instanceof ConfigError && /--from "2025-13-01"/.test(e.message));
  });

  it("puts a day's file where the seed did: YYYY/MM/YYYY-MM-DD.csv", () => {
    assert.equal(dayFileRelativePath('2025-03-07'), '2025/03/2025-03-07.csv');
  });

  it('rounds ratios half-up in integers, where rounding the double would go down', async () => {
    const backend = await openDuckDb(join(tempDir(), 'r.duckdb'));
    // 8.0475 h is 28971 s / 3600; as a double it is 8.04749999…, which round() takes down.
    const [row] = await backend.query(`SELECT ${ratio(duckDbDialect, '28971', '3600', 3)} AS exact, round(28971 / 3600, 3) AS naive, ${ratio(duckDbDialect, '1', '0', 2)} AS none`);
    assert.equal(row?.exact, 8.048);
    assert.equal(row?.naive, 8.047);
    assert.equal(row?.none, null);
    await backend.close();
  });
});
