import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { firesBetween, localToUtc, nextFireAfter, parseLocalTime } from './fire-times.js';
import { loadZone } from './zone.js';

const at8 = parseLocalTime('08:00');
const kolkata = loadZone('Asia/Kolkata');
const london = loadZone('Europe/London');

describe('schedule fire times', () => {
  it('08:00 in Asia/Kolkata is 02:30 UTC', () => {
    assert.equal(localToUtc('2025-11-01', at8, kolkata), Date.UTC(2025, 10, 1, 2, 30));
  });

  it('the next fire is strictly after the given instant', () => {
    assert.equal(nextFireAfter(Date.UTC(2025, 10, 1, 2, 29), at8, kolkata), Date.UTC(2025, 10, 1, 2, 30));
    assert.equal(nextFireAfter(Date.UTC(2025, 10, 1, 2, 30), at8, kolkata), Date.UTC(2025, 10, 2, 2, 30));
    // 23:00 UTC on 1 Nov is 04:30 on 2 Nov in Kolkata: today's 08:00 is still ahead.
    assert.equal(nextFireAfter(Date.UTC(2025, 10, 1, 23, 0), at8, kolkata), Date.UTC(2025, 10, 2, 2, 30));
  });

  it('a time skipped by spring-forward runs later by the gap; a repeated one runs the first time', () => {
    const at0130 = parseLocalTime('01:30');
    assert.equal(localToUtc('2025-03-30', at0130, london), Date.UTC(2025, 2, 30, 1, 30), '01:30 does not exist in London that night: 02:30 BST');
    assert.equal(localToUtc('2025-10-26', at0130, london), Date.UTC(2025, 9, 26, 0, 30), '01:30 happens twice: the BST one');
    assert.equal(localToUtc('2025-07-01', at8, london), Date.UTC(2025, 6, 1, 7, 0));
    assert.equal(localToUtc('2025-12-01', at8, london), Date.UTC(2025, 11, 1, 8, 0));
  });

  it('lists the fires missed between two instants, keeping the most recent when limited', () => {
    const fires = firesBetween(Date.UTC(2025, 10, 1, 2, 30), Date.UTC(2025, 10, 4, 4, 30), at8, kolkata);
    assert.deepEqual(fires, [Date.UTC(2025, 10, 2, 2, 30), Date.UTC(2025, 10, 3, 2, 30), Date.UTC(2025, 10, 4, 2, 30)]);
    assert.deepEqual(firesBetween(Date.UTC(2025, 10, 1, 2, 30), Date.UTC(2025, 10, 4, 4, 30), at8, kolkata, 2), fires.slice(1));
    assert.deepEqual(firesBetween(Date.UTC(2025, 10, 1, 2, 30), Date.UTC(2025, 10, 2, 2, 29), at8, kolkata), []);
  });

  it('reads HH:MM and refuses anything else', () => {
    assert.deepEqual(parseLocalTime('7:05'), { hour: 7, minute: 5 });
    assert.throws(() => parseLocalTime('24:00'), InvalidArgumentError);
    assert.throws(() => parseLocalTime('8am'), InvalidArgumentError);
  });
});
