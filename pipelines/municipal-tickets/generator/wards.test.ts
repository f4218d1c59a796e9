import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { municipalTicketsGenerator } from './index.js';
import { WARDS, WARDS_CSV_COLUMNS, wardsCsv } from './wards.js';

describe('Bengaluru wards', () => {
  it('has at least 40 distinct wards inside Bengaluru', () => {
    assert.ok(WARDS.length >= 40);
    assert.equal(new Set(WARDS.map((w) => w.no)).size, WARDS.length);
    assert.equal(new Set(WARDS.map((w) => w.name)).size, WARDS.length);
    for (const w of WARDS) {
      assert.ok(w.no >= 1 && w.no <= 198, w.label);
      assert.match(w.pincode, /^560\d{3}$/, w.label);
      assert.ok(w.lat > 12.8 && w.lat < 13.2 && w.lon > 77.4 && w.lon < 77.8, w.label);
      assert.ok(w.population > 10_000 && w.population < 120_000, w.label);
      assert.ok(w.areaKm2 > 0.5 && w.areaKm2 < 40, w.label);
      assert.equal(w.label, `Ward ${w.no} - ${w.name}`);
      assert.ok(w.escalationBase >= 0.05 && w.escalationBase <= 0.25);
    }
    assert.ok(WARDS.some((w) => w.label === 'Ward 150 - Bellandur' && w.pincode === '560103'));
  });

  it('wards.csv is well-formed and agrees with the data', () => {
    const csv = wardsCsv();
    assert.ok(csv.endsWith('\n'));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0] ?? {}), [...WARDS_CSV_COLUMNS]);
    assert.equal(rows.length, WARDS.length);
    rows.forEach((row, i) => {
      const w = WARDS[i];
      assert.ok(w !== undefined);
      assert.equal(row.ward, w.label);
      assert.equal(row.ward_name, w.name);
      assert.equal(row.pincode, w.pincode);
      assert.equal(Number(row.lat), w.lat);
      assert.equal(Number(row.lon), w.lon);
      assert.equal(Number(row.population), w.population);
      assert.equal(Number(row.area_km2), w.areaKm2);
      assert.equal(Number(row.population_density), Math.round(w.population / w.areaKm2));
    });
    assert.deepEqual(municipalTicketsGenerator.referenceFiles?.({ count: 1, seed: 1, badRate: 0 }), [{ name: 'wards.csv', content: csv }]);
  });
});
