import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimestamp } from './timestamps.js';

describe('parseTimestamp', () => {
  it('reads ISO 8601 with Z, offsets, spaces, fractions and dates alone', () => {
    assert.equal(parseTimestamp('2026-11-01T08:15:22.123Z'), Date.UTC(2026, 10, 1, 8, 15, 22, 123));
    assert.equal(parseTimestamp('2026-11-01T08:15:22+05:30'), Date.UTC(2026, 10, 1, 2, 45, 22));
    assert.equal(parseTimestamp('2026-11-01 08:15:22-0800'), Date.UTC(2026, 10, 1, 16, 15, 22));
    assert.equal(parseTimestamp('2026-11-01T08:15:22.123456789Z'), Date.UTC(2026, 10, 1, 8, 15, 22, 123));
    assert.equal(parseTimestamp('2026-11-01'), Date.UTC(2026, 10, 1));
    assert.equal(parseTimestamp('2026-11-01T08:15'), Date.UTC(2026, 10, 1, 8, 15), 'no zone → UTC');
    assert.equal(parseTimestamp('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
    assert.equal(parseTimestamp(1793520922000), 1793520922000);
  });

  it('refuses what Date.parse would bend', () => {
    for (const bad of ['2026-02-30T00:00:00Z', '2025-02-29', '2026-13-45T99:00:00Z', 'not-a-date', 'yesterday', '02/30/2017 10:00:00 AM', '2026-11-01T24:00:00Z', '2026-11-01T08:15:22+25:00', '', '1793520922000']) {
      assert.equal(parseTimestamp(bad), null, bad);
    }
    assert.equal(parseTimestamp(Number.NaN), null);
    assert.equal(parseTimestamp(null), null);
  });
});
