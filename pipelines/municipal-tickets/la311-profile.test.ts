import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { la311RowToTicket, laLocalToUtc, normaliseLa311Channel, parseLa311Date } from './la311-profile.js';
import { TicketInput } from './ticket-schema.js';

const SAMPLE = '/work/shared/data/real/la311-2017-subset.csv';

function firstRows(n: number): Record<string, string>[] {
  const rows = parse(readFileSync(SAMPLE), { columns: true, to: n }) as Record<string, string>[];
  assert.equal(rows.length, n);
  return rows;
}

/** US rule since 2007, written independently of Intl: PDT from the 2nd Sunday of March 02:00 PST to the 1st Sunday of November 02:00 PDT. */
function ruleOffsetHours(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const nthSunday = (month: number, n: number): number => {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + 7 * (n - 1);
  };
  const start = Date.UTC(year, 2, nthSunday(2, 2), 2 + 8); // 02:00 PST = 10:00 UTC
  const end = Date.UTC(year, 10, nthSunday(10, 1), 2 + 7); // 02:00 PDT = 09:00 UTC
  return utcMs >= start && utcMs < end ? -7 : -8;
}

describe('la311RowToTicket on the real LA 311 export', () => {
  const rows = firstRows(100);
  const tickets = rows.map(la311RowToTicket);

  it('maps identifiers, place and category of the first 100 rows', () => {
    rows.forEach((row, i) => {
      const t = tickets[i];
      assert.ok(t !== undefined);
      assert.equal(t.ticket_id, row.SRNumber);
      assert.equal(t.citizen_id, null);
      assert.equal(t.phone, null);
      assert.equal(t.category, row.RequestType);
      assert.equal(t.subcategory, row.RequestType);
      assert.equal(t.location.ward, row.CD === '' ? null : `CD ${row.CD}`);
      assert.equal(t.location.pincode, row.ZipCode === '' ? null : row.ZipCode);
      assert.equal(t.location.lat, row.Latitude === '' ? null : Number(row.Latitude));
      assert.equal(t.location.lon, row.Longitude === '' ? null : Number(row.Longitude));
      assert.deepEqual(t.photos, []);
      assert.equal(t.language, 'en');
    });
  });

  it('converts CreatedDate from Los Angeles time (PST in December: +8 h) to ISO UTC', () => {
    assert.equal(tickets[0]?.submitted_at, '2018-01-01T07:59:58.000Z'); // 12/31/2017 11:59:58 PM
    rows.forEach((row, i) => {
      const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) (AM|PM)$/.exec(row.CreatedDate ?? '');
      assert.ok(m !== null, row.CreatedDate);
      const hour = (Number(m[4]) % 12) + (m[7] === 'PM' ? 12 : 0);
      const expected = new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hour + 8, Number(m[5]), Number(m[6]))).toISOString();
      assert.equal(tickets[i]?.submitted_at, expected);
    });
  });

  it('normalises RequestSource to lower_snake channels', () => {
    const seen = new Set(tickets.map((t) => t.channel));
    for (const channel of seen) assert.match(String(channel), /^[a-z]+(_[a-z]+)*$/);
    assert.ok(seen.has('call_center'));
    assert.equal(normaliseLa311Channel('Self Service'), 'self_service');
    assert.equal(normaliseLa311Channel('Call'), 'call_center');
    assert.equal(normaliseLa311Channel('Mobile App'), 'mobile_app');
    assert.equal(normaliseLa311Channel('Driver Self Report'), 'driver_self_report');
    assert.equal(normaliseLa311Channel('Walk-in'), 'walk_in');
    assert.equal(normaliseLa311Channel("Council's Office"), 'councils_office');
    assert.equal(normaliseLa311Channel(''), null);
  });

  it('describes the request by block, never by house number', () => {
    rows.forEach((row, i) => {
      const d = tickets[i]?.description ?? '';
      assert.ok(d.startsWith(row.RequestType ?? '∅'), d);
      if (row.HouseNumber !== '' && Number(row.HouseNumber) % 100 !== 0) assert.ok(!d.includes(row.HouseNumber ?? '∅'), d);
    });
    assert.equal(tickets[1]?.description, 'Bulky Items near the 6100 block of E MESA AVE');
  });

  it('gives the pipeline valid input, except rows without a council district', () => {
    rows.forEach((row, i) => {
      const result = TicketInput.safeParse(tickets[i]);
      assert.equal(result.success, row.CD !== '', `${row.SRNumber}: ${JSON.stringify(result.error?.issues)}`);
    });
  });

  it('keeps unparseable dates as they are, for the pipeline to reject', () => {
    for (const bad of ['', 'yesterday', '02/30/2017 10:00:00 AM', '13/01/2017 10:00:00 AM', '12/31/2017 13:00:00 PM', '2017-12-31T10:00:00']) {
      assert.equal(parseLa311Date(bad), null, bad);
      const t = la311RowToTicket({ SRNumber: '1-1', CreatedDate: bad, RequestType: 'Other', CD: '1' });
      assert.equal(t.submitted_at, bad);
      // The schema checks with Date.parse, whose legacy parser rolls 02/30 over to 03/02; only the others are rejected there.
      if (Number.isNaN(Date.parse(bad))) assert.equal(TicketInput.safeParse(t).success, false, bad);
    }
  });

  it('maps a row with missing columns without throwing', () => {
    const t = la311RowToTicket({});
    assert.equal(t.ticket_id, '');
    assert.equal(t.location.ward, null);
    assert.equal(t.channel, null);
  });
});

describe('laLocalToUtc', () => {
  it('handles the 2017 DST changes', () => {
    const iso = (...a: [number, number, number, number, number, number]): string => new Date(laLocalToUtc(...a)).toISOString();
    assert.equal(iso(2017, 3, 12, 1, 59, 59), '2017-03-12T09:59:59.000Z'); // last PST second
    assert.equal(iso(2017, 3, 12, 3, 0, 0), '2017-03-12T10:00:00.000Z'); // first PDT second
    assert.equal(iso(2017, 3, 12, 2, 30, 0), '2017-03-12T10:30:00.000Z'); // skipped hour: read as PST, i.e. 03:30 PDT
    assert.equal(iso(2017, 11, 5, 0, 59, 0), '2017-11-05T07:59:00.000Z');
    assert.equal(iso(2017, 11, 5, 1, 30, 0), '2017-11-05T08:30:00.000Z'); // repeated hour: the earlier (PDT) instant
    assert.equal(iso(2017, 11, 5, 2, 0, 0), '2017-11-05T10:00:00.000Z');
  });

  it('agrees with the US DST rule for every hour of 2017 and 2018 outside the ambiguous hours', () => {
    for (let t = Date.UTC(2017, 0, 1); t < Date.UTC(2019, 0, 1); t += 3_600_000) {
      const offset = ruleOffsetHours(t);
      const wall = new Date(t + offset * 3_600_000);
      const back = laLocalToUtc(
        wall.getUTCFullYear(),
        wall.getUTCMonth() + 1,
        wall.getUTCDate(),
        wall.getUTCHours(),
        wall.getUTCMinutes(),
        wall.getUTCSeconds(),
      );
      // In the repeated November hour the earlier instant is chosen by design.
      const repeated = offset === -8 && ruleOffsetHours(t - 3_600_000) === -7;
      assert.equal(back, repeated ? t - 3_600_000 : t, new Date(t).toISOString());
    }
  });
});
