import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvelopeMeta } from '../core/envelope.js';
import { defineTable, type Row, type TableSpec } from '../core/schema.js';
import type { SideOutputs } from '../core/stateful.js';
import { ManualClock } from './clock.js';
import { type CombineFn, count, sum } from './combiners.js';
import { WindowOptionError } from './errors.js';
import { WindowedAggregate, type WindowedAggregateOptions, WindowStateError } from './windowed-aggregate.js';
import { fixedWindows } from './windows.js';

interface Reading {
  readonly k: string;
  readonly t: number;
  readonly n: number;
}

const panes = defineTable({
  name: 'panes',
  columns: [
    { name: 'key', type: 'string' },
    { name: 'start', type: 'bigint' },
    { name: 'timing', type: 'string' },
    { name: 'pane_index', type: 'integer' },
    { name: 'value', type: 'double' },
    { name: 'fired_at', type: 'bigint' },
    { name: 'is_last', type: 'boolean' },
  ],
});

/** Collects what the operator emits, as the runner's chunk would. */
class FakeOutputs implements SideOutputs {
  readonly rows: Row[] = [];
  readonly errors: Array<{ id: string; type: string; message: string; keys: Readonly<Record<string, unknown>> | undefined }> = [];
  write(table: TableSpec, row: Row): void {
    assert.equal(table, panes);
    this.rows.push(row);
  }
  publish(): void {
    assert.fail('a windowed aggregate publishes nothing');
  }
  error(envelope: EnvelopeMeta, errorType: string, message: string, keyFields?: Readonly<Record<string, unknown>>): void {
    this.errors.push({ id: envelope.id, type: errorType, message, keys: keyFields });
  }
}

const env = (id: string): EnvelopeMeta => ({ id, attributes: {}, publishTime: 0, receivedAt: 0, source: 'test' });

const MINUTE = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % (5 * MINUTE));

function aggregate(
  clock: ManualClock,
  options: Partial<WindowedAggregateOptions<Reading, number, number, number>> = {},
): WindowedAggregate<Reading, number, number, number> {
  return new WindowedAggregate<Reading, number, number, number>({
    name: 'sum_per_key',
    table: panes,
    key: (r) => r.k,
    eventTime: (r) => r.t,
    value: (r) => r.n,
    windowFn: fixedWindows(5 * MINUTE),
    combine: sum(),
    trigger: { earlyEvery: MINUTE, allowedLateness: MINUTE },
    maxOutOfOrderness: 10_000,
    idleTimeout: 30_000,
    keyFields: ['k'],
    toRow: (pane, id, firedAt) => [id, pane.key, pane.window.start, pane.timing, pane.index, pane.value, firedAt, pane.isLast],
    clock,
    ...options,
  });
}

/** [id, timing, value] of each row: what most assertions care about. */
const brief = (rows: readonly Row[]): Array<[unknown, unknown, unknown]> => rows.map((r) => [r[0], r[3], r[5]]);

describe('WindowedAggregate', () => {
  it('fires EARLY on processing time, ON_TIME when the watermark passes the end, LATE within the lateness, and refuses later events', () => {
    const clock = new ManualClock(T0);
    const agg = aggregate(clock);
    const out = new FakeOutputs();
    agg.observe({ k: 'a', t: T0 + 1_000, n: 1 }, env('e1'), out);
    agg.observe({ k: 'a', t: T0 + 2_000, n: 2 }, env('e2'), out);
    agg.tick(T0 + 1_000, out);
    assert.equal(agg.watermark, T0 + 2_000 - 10_000, 'watermark = max event time − maxOutOfOrderness');
    assert.deepEqual(out.rows, []);
    agg.tick(T0 + MINUTE, out);
    assert.deepEqual(brief(out.rows), [[`a|${T0}|0`, 'EARLY', 3]], 'one minute of processing time after the first element');
    assert.equal(out.rows[0]?.[6], T0 + MINUTE, 'fired_at is the processing time of the tick');

    // Event time moves past the window end + 10 s of out-of-orderness: ON_TIME (accumulating).
    agg.observe({ k: 'a', t: T0 + 4 * MINUTE, n: 4 }, env('e3'), out);
    agg.observe({ k: 'b', t: T0 + 5 * MINUTE + 10_000, n: 100 }, env('e4'), out);
    agg.tick(T0 + MINUTE + 1_000, out);
    assert.deepEqual(brief(out.rows.slice(1)), [[`a|${T0}|1`, 'ON_TIME', 7]]);

    // 30 s behind the watermark: still within a minute of lateness → a LATE pane at once.
    agg.observe({ k: 'a', t: T0 + 4 * MINUTE + 50_000, n: 8 }, env('e5'), out);
    assert.deepEqual(brief(out.rows.slice(2)), [[`a|${T0}|2`, 'LATE', 15]]);

    // Past end + lateness: the window is gone and the event is a late_event side error.
    agg.observe({ k: 'b', t: T0 + 7 * MINUTE, n: 1 }, env('e6'), out);
    agg.tick(T0 + MINUTE + 2_000, out);
    const rows = out.rows.length;
    agg.observe({ k: 'a', t: T0 + 3 * MINUTE, n: 16 }, env('late'), out);
    assert.equal(out.rows.length, rows, 'no pane for a late event');
    assert.equal(out.errors.length, 1);
    assert.equal(out.errors[0]?.id, 'late');
    assert.equal(out.errors[0]?.type, 'late_event');
    assert.deepEqual(out.errors[0]?.keys, { k: 'a' });
    assert.match(out.errors[0]?.message ?? '', /sum_per_key.*too late for its window \[.*\).*allowed lateness 60000 ms/);
    assert.equal(agg.stats.operator.droppedLate, 1);
  });

  it('moves the watermark on with processing time once the input is idle, so the last windows close', () => {
    const clock = new ManualClock(T0);
    const agg = aggregate(clock, { trigger: { allowedLateness: MINUTE } });
    const out = new FakeOutputs();
    agg.observe({ k: 'a', t: T0 + 1_000, n: 5 }, env('e1'), out);
    agg.tick(T0 + 1_000, out);
    agg.tick(T0 + 29_000, out);
    assert.equal(agg.watermark, T0 + 1_000 - 10_000, 'not idle yet: the watermark holds');
    agg.tick(T0 + 31_000, out);
    assert.equal(agg.watermark, T0 + 1_000 - 10_000 + 30_000, 'idle: event time assumed to keep pace with processing time');
    assert.deepEqual(out.rows, []);
    agg.tick(T0 + 5 * MINUTE + 10_000, out);
    assert.deepEqual(brief(out.rows), [[`a|${T0}|0`, 'ON_TIME', 5]]);

    const never = aggregate(new ManualClock(T0), { idleTimeout: Number.POSITIVE_INFINITY, trigger: { allowedLateness: MINUTE } });
    const quiet = new FakeOutputs();
    never.observe({ k: 'a', t: T0 + 1_000, n: 5 }, env('e1'), quiet);
    never.tick(T0 + 1_000, quiet);
    never.tick(T0 + 60 * MINUTE, quiet);
    assert.deepEqual(quiet.rows, [], 'idleTimeout Infinity: only event time moves the watermark');
  });

  it('resumes from a JSON snapshot with exactly the panes and errors of an uninterrupted run', () => {
    // A deterministic script: 60 batches of 50 readings over 20 keys, events up to 20 s out of
    // order (up to 40 s behind) and a few 10 minutes behind, a tick after each batch with 5 s of processing time.
    let seed = 7;
    const rand = (m: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % m;
    };
    const batches: Array<{ records: Array<[Reading, string]>; now: number }> = [];
    let id = 0;
    for (let b = 0; b < 60; b++) {
      const records: Array<[Reading, string]> = [];
      for (let i = 0; i < 50; i++) {
        const behind = rand(50) === 0 ? 10 * MINUTE : rand(40_000);
        records.push([{ k: `k${rand(20)}`, t: T0 + b * 20_000 + i * 400 - behind, n: rand(10) }, `e${id++}`]);
      }
      batches.push({ records, now: T0 + (b + 1) * 5_000 });
    }
    const run = (agg: WindowedAggregate<Reading, number, number, number>, from: number, to: number, out: FakeOutputs): void => {
      for (let b = from; b < to; b++) {
        const batch = batches[b]!;
        for (const [r, eid] of batch.records) agg.observe(r, env(eid), out);
        agg.tick(batch.now, out);
      }
    };

    const whole = new FakeOutputs();
    const uninterrupted = aggregate(new ManualClock(T0));
    run(uninterrupted, 0, 60, whole);
    uninterrupted.finish(whole);

    for (const cut of [1, 23, 59]) {
      const out = new FakeOutputs();
      const first = aggregate(new ManualClock(T0));
      run(first, 0, cut, out);
      const state: unknown = JSON.parse(JSON.stringify(first.snapshot()));
      // A restarted process: a fresh operator whose clock has moved on.
      const second = aggregate(new ManualClock(T0 + cut * 5_000));
      second.restore(state);
      run(second, cut, 60, out);
      second.finish(out);
      assert.deepEqual(out.rows, whole.rows, `cut after batch ${cut}: same pane rows`);
      assert.deepEqual(out.errors, whole.errors, `cut after batch ${cut}: same late_event errors`);
    }
    assert.ok(whole.errors.length > 10, `late events were produced (${whole.errors.length})`);
    const timings = new Set(whole.rows.map((r) => r[3]));
    assert.deepEqual([...timings].sort(), ['EARLY', 'LATE', 'ON_TIME'], 'the script exercises every kind of pane');
    assert.equal(new Set(whole.rows.map((r) => r[0])).size, whole.rows.length, 'pane ids are unique');
  });

  it('finish fires every open window, and a restored run continues their pane indexes instead of reusing them', () => {
    const clock = new ManualClock(T0);
    const agg = aggregate(clock);
    const out = new FakeOutputs();
    agg.observe({ k: 'a', t: T0 + 1_000, n: 1 }, env('e1'), out);
    agg.observe({ k: 'a', t: T0 + 6 * MINUTE, n: 2 }, env('e2'), out);
    agg.tick(T0 + 1_000, out);
    agg.finish(out);
    assert.deepEqual(
      brief(out.rows),
      [
        [`a|${T0}|0`, 'ON_TIME', 1],
        [`a|${T0 + 5 * MINUTE}|0`, 'ON_TIME', 2],
      ],
      'the first window closed by the watermark, the second by the end of input',
    );
    const state: unknown = JSON.parse(JSON.stringify(agg.snapshot()));
    assert.equal(agg.watermark, T0 + 6 * MINUTE - 10_000, 'the real watermark, not +∞, is kept for the next run');

    const next = aggregate(new ManualClock(T0 + 2_000));
    next.restore(state);
    const more = new FakeOutputs();
    // Within the second window's lateness: a LATE pane with the next index, accumulating on the first run's value.
    next.observe({ k: 'a', t: T0 + 7 * MINUTE, n: 3 }, env('e3'), more);
    assert.deepEqual(brief(more.rows), [[`a|${T0 + 5 * MINUTE}|1`, 'LATE', 5]]);
    // The first window had its ON_TIME pane in the first run but is still within its lateness.
    next.observe({ k: 'a', t: T0 + 2_000, n: 4 }, env('e4'), more);
    assert.deepEqual(brief(more.rows.slice(1)), [[`a|${T0}|1`, 'LATE', 5]]);
    // Once the watermark passes its end + lateness, the first window is gone: late_event.
    next.observe({ k: 'b', t: T0 + 8 * MINUTE, n: 0 }, env('e5'), more);
    next.tick(T0 + 3_000, more);
    next.observe({ k: 'a', t: T0 + 3_000, n: 5 }, env('e6'), more);
    assert.deepEqual(
      more.errors.map((e) => [e.id, e.type]),
      [['e6', 'late_event']],
    );
    assert.equal(more.rows.length, 2);
  });

  it('sends a record whose event time is not a number to the error table and leaves the windows alone', () => {
    const agg = aggregate(new ManualClock(T0));
    const out = new FakeOutputs();
    agg.observe({ k: 'a', t: Number.NaN, n: 1 }, env('bad'), out);
    assert.deepEqual(
      out.errors.map((e) => [e.id, e.type, e.keys]),
      [['bad', 'bad_timestamp', { k: 'a' }]],
    );
    assert.equal(agg.stats.operator.elements, 0);
  });

  it('works with any combiner, e.g. discarding counts', () => {
    const clock = new ManualClock(T0);
    const agg = new WindowedAggregate<Reading, null, number, number>({
      name: 'counts',
      table: panes,
      key: (r) => r.k,
      eventTime: (r) => r.t,
      value: () => null,
      windowFn: fixedWindows(5 * MINUTE),
      combine: count() as CombineFn<null, number, number>,
      trigger: { earlyCount: 2, accumulation: 'discarding' },
      maxOutOfOrderness: 0,
      toRow: (pane, id, firedAt) => [id, pane.key, pane.window.start, pane.timing, pane.index, pane.value, firedAt, pane.isLast],
      clock,
    });
    const out = new FakeOutputs();
    for (let i = 0; i < 5; i++) agg.observe({ k: 'a', t: T0 + i, n: 0 }, env(`e${i}`), out);
    agg.finish(out);
    assert.deepEqual(
      out.rows.map((r) => [r[3], r[5]]),
      [
        ['EARLY', 2],
        ['EARLY', 2],
        ['ON_TIME', 1],
      ],
    );
  });

  it('refuses a checkpoint that is not its own with a typed error', () => {
    const agg = aggregate(new ManualClock(T0));
    assert.throws(
      () => agg.restore({ format: 'something-else' }),
      (e: unknown) => e instanceof WindowStateError && e.code === 'WINDOW_STATE_INVALID' && /sum_per_key.*delete that row/.test(e.message),
    );
    const other = aggregate(new ManualClock(T0), { name: 'other' });
    assert.throws(() => agg.restore(other.snapshot()), WindowStateError);
    const hourly = aggregate(new ManualClock(T0), { windowFn: fixedWindows(60 * MINUTE) });
    assert.throws(() => hourly.restore(agg.snapshot()), WindowOptionError);
  });
});
