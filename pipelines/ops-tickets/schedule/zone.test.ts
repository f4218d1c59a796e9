import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/core/errors.js';
import { loadZone, parsePosixRule, posixOffsetAt } from './zone.js';

/** The offset Intl (ICU) gives, as the oracle the TZif reader is checked against. */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlOffset(zone: string, utcMs: number): number {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

const ZONES = ['Asia/Kolkata', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Sao_Paulo', 'Australia/Sydney', 'Pacific/Chatham', 'Asia/Kathmandu', 'Africa/Casablanca'];

describe('time zones from the tz database, without Intl', () => {
  it('Asia/Kolkata is UTC+05:30', () => {
    assert.equal(loadZone('Asia/Kolkata').offsetAt(Date.UTC(2025, 10, 1)), 5.5 * 3_600_000);
  });

  for (const name of ZONES) {
    it(`${name}: the same offset as Intl every 61 hours from 1990 to 2037, and around every change`, () => {
      const zone = loadZone(name);
      let checked = 0;
      let previous = zone.offsetAt(Date.UTC(1990, 0, 1));
      for (let t = Date.UTC(1990, 0, 1); t < Date.UTC(2037, 0, 1); t += 61 * 3_600_000) {
        const offset = zone.offsetAt(t);
        assert.equal(offset, intlOffset(name, t), `${name} at ${new Date(t).toISOString()}`);
        if (offset !== previous) {
          // A change happened in the last 61 hours: check the minutes around it too.
          for (let u = t - 61 * 3_600_000; u <= t; u += 15 * 60_000) assert.equal(zone.offsetAt(u), intlOffset(name, u), `${name} at ${new Date(u).toISOString()}`);
        }
        previous = offset;
        checked++;
      }
      assert.ok(checked > 6000);
    });
  }

  it('past the transition table (2040–2046) the footer rule gives what Intl gives', () => {
    for (const name of ['Europe/London', 'America/New_York', 'Australia/Sydney', 'Pacific/Chatham']) {
      const zone = loadZone(name);
      for (let t = Date.UTC(2040, 0, 1); t < Date.UTC(2046, 0, 1); t += 5 * 3_600_000) assert.equal(zone.offsetAt(t), intlOffset(name, t), `${name} at ${new Date(t).toISOString()}`);
    }
  });

  it('parses POSIX rules: fixed, northern and southern hemisphere, explicit times', () => {
    assert.deepEqual(parsePosixRule('IST-5:30'), { stdOffset: 19_800_000 });
    assert.deepEqual(parsePosixRule('<+0545>-5:45'), { stdOffset: 20_700_000 });
    const berlin = parsePosixRule('CET-1CEST,M3.5.0,M10.5.0/3');
    assert.equal(posixOffsetAt(berlin, Date.UTC(2050, 2, 27, 0, 59)), 3_600_000, 'the last Sunday of March 2050 is the 27th; the change is at 01:00 UTC');
    assert.equal(posixOffsetAt(berlin, Date.UTC(2050, 2, 27, 1, 0)), 7_200_000);
    assert.equal(posixOffsetAt(berlin, Date.UTC(2050, 9, 30, 0, 59)), 7_200_000);
    assert.equal(posixOffsetAt(berlin, Date.UTC(2050, 9, 30, 1, 0)), 3_600_000);
    const sydney = parsePosixRule('AEST-10AEDT,M10.1.0,M4.1.0/3');
    assert.equal(posixOffsetAt(sydney, Date.UTC(2050, 0, 15)), 11 * 3_600_000, 'January is summer down under');
    assert.equal(posixOffsetAt(sydney, Date.UTC(2050, 6, 15)), 10 * 3_600_000);
    const julian = parsePosixRule('XXX3YYY,J60/2,J300/2');
    assert.equal(posixOffsetAt(julian, Date.UTC(2048, 1, 29, 12)), -3 * 3_600_000, 'J60 is 1 March even in a leap year');
    assert.equal(posixOffsetAt(julian, Date.UTC(2048, 2, 1, 12)), -2 * 3_600_000);
  });

  it('accepts UTC and fixed offsets, and refuses names that are not zones', () => {
    assert.equal(loadZone('UTC').offsetAt(0), 0);
    assert.equal(loadZone('+05:30').offsetAt(0), 19_800_000);
    assert.equal(loadZone('-0800').offsetAt(0), -28_800_000);
    assert.throws(() => loadZone('../../etc/passwd'), ConfigError);
    assert.throws(() => loadZone('Mars/Olympus_Mons'), (e: unknown) => e instanceof ConfigError && /unknown time zone/.test(e.message));
    assert.throws(() => loadZone('+19:00'), ConfigError);
  });
});
