import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/time/clock.js';
import { lastScheduleFire, opsScheduleFire } from '../cli-support.js';
import { runBackfill } from '../jobs.js';
import { dayFilePath } from '../layout.js';
import { generateYear, openDuckDb, tempDir } from '../test/support.js';
import { parseLocalTime } from './fire-times.js';
import { type FireOutcome, runSchedule, type ScheduleEvent } from './scheduler.js';
import { loadZone } from './zone.js';

const at = parseLocalTime('08:00');
const zone = loadZone('Asia/Kolkata');
/** 08:00 IST on a November 2025 day, as UTC epoch ms. */
const fireOn = (day: number): number => Date.UTC(2025, 10, day, 2, 30);

/**
 * Drives runSchedule on a fake clock: sleeping moves the clock to the wake-up time at once, and
 * the schedule stops after `fires` fires.
 */
async function drive(options: { start: number; last: number | null; fires: number; outcome?: (fire: number) => FireOutcome; maxCatchUp?: number }) {
  const clock = new ManualClock(options.start);
  const stop = new AbortController();
  const fired: Array<{ fire: number; now: number }> = [];
  const events: ScheduleEvent[] = [];
  await runSchedule({
    at,
    zone,
    clock,
    sleepUntil: async (until) => clock.set(Math.max(until, clock.now())),
    lastFire: async () => options.last,
    fire: async (fire) => {
      fired.push({ fire, now: clock.now() });
      if (fired.length >= options.fires) stop.abort();
      return options.outcome?.(fire) ?? 'processed';
    },
    maxCatchUp: options.maxCatchUp ?? 31,
    signal: stop.signal,
    onEvent: (e) => events.push(e),
  });
  return { fired, events, clock };
}

describe('the daily schedule (fake clock, no sleeping)', () => {
  it('fires every day at 08:00 Asia/Kolkata, at that instant', async () => {
    const { fired } = await drive({ start: Date.UTC(2025, 10, 1, 0, 0), last: null, fires: 3 });
    assert.deepEqual(fired.map((f) => f.fire), [fireOn(1), fireOn(2), fireOn(3)]);
    assert.deepEqual(fired.map((f) => f.now), [fireOn(1), fireOn(2), fireOn(3)], 'run when the clock reaches the fire, not before');
  });

  it('a restart catches up the fires missed while it was down, oldest first, then waits for the next', async () => {
    const { fired, events } = await drive({ start: Date.UTC(2025, 10, 4, 6, 0), last: fireOn(1), fires: 4 });
    assert.deepEqual(fired.map((f) => f.fire), [fireOn(2), fireOn(3), fireOn(4), fireOn(5)]);
    assert.deepEqual(fired.slice(0, 3).map((f) => f.now), [Date.UTC(2025, 10, 4, 6, 0), Date.UTC(2025, 10, 4, 6, 0), Date.UTC(2025, 10, 4, 6, 0)], 'missed ones at once');
    assert.ok(events.some((e) => e.kind === 'catching-up' && e.fires.length === 3));
  });

  it('catches up at most --max-catch-up fires, the most recent', async () => {
    const { fired, events } = await drive({ start: Date.UTC(2025, 10, 10, 3, 0), last: fireOn(1), fires: 2, maxCatchUp: 2 });
    assert.deepEqual(fired.map((f) => f.fire), [fireOn(9), fireOn(10)]);
    assert.ok(events.some((e) => e.kind === 'catching-up' && e.dropped === 7));
  });

  it('stops catching up at a missing day file (the later fires would find the same) and tries again next morning', async () => {
    const { fired } = await drive({ start: Date.UTC(2025, 10, 4, 6, 0), last: fireOn(1), fires: 2, outcome: (f) => (f === fireOn(2) ? 'file_missing' : 'processed') });
    assert.deepEqual(fired.map((f) => f.fire), [fireOn(2), fireOn(5)]);
  });

  it('with the real daily job: each fire processes one date and is recorded; a restart runs the missed days', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    generateYear(data);
    const backend = await openDuckDb(join(dir, 'w.duckdb'));
    await runBackfill({ backend, dir: data, to: '2025-10-31' });
    const log: string[] = [];
    const runFor = async (start: number, stopAfter: number): Promise<void> => {
      const clock = new ManualClock(start);
      const stop = new AbortController();
      let n = 0;
      const fire = opsScheduleFire(backend, data, (line) => log.push(line), () => clock.now());
      await runSchedule({
        at,
        zone,
        clock,
        sleepUntil: async (until) => clock.set(Math.max(until, clock.now())),
        lastFire: () => lastScheduleFire(backend),
        fire: async (f) => {
          const outcome = await fire(f);
          if (++n >= stopAfter) stop.abort();
          return outcome;
        },
        maxCatchUp: 31,
        signal: stop.signal,
      });
    };
    await runFor(Date.UTC(2025, 10, 1, 0, 0), 2); // fires 1 and 2 November: dates 1 and 2 November
    assert.equal(await lastScheduleFire(backend), fireOn(2));
    // Down for three mornings; back at 09:00 IST on the 5th: the 3rd, 4th and 5th are due at once.
    const path = dayFilePath(data, '2025-11-06');
    await runFor(Date.UTC(2025, 10, 5, 3, 30), 3);
    const state = await backend.query(`SELECT CAST(ops_date AS VARCHAR) AS d, run_mode, CAST(scheduled_for AS VARCHAR) AS f FROM ingestion_state WHERE ops_date >= DATE '2025-11-01' ORDER BY ops_date`);
    assert.deepEqual(state.map((r) => String(r.d).slice(0, 10)), ['2025-11-01', '2025-11-02', '2025-11-03', '2025-11-04', '2025-11-05']);
    assert.ok(state.every((r) => r.run_mode === 'daily' && r.f !== null), 'each date recorded with the fire that ran it');
    // The next morning's file is late: the fire is recorded as file_missing and nothing else changes.
    renameSync(path, `${path}.late`);
    await runFor(Date.UTC(2025, 10, 5, 3, 30), 1);
    renameSync(`${path}.late`, path);
    const runs = await backend.query(`SELECT outcome, count(*) AS n FROM ops_schedule_runs GROUP BY outcome ORDER BY outcome`);
    assert.deepEqual(runs.map((r) => [r.outcome, Number(r.n)]), [['file_missing', 1], ['processed', 5]]);
    assert.ok(log.some((l) => /file_missing/.test(l)));
    await backend.close();
  });
});
