/**
 * Cases from Apache Beam's and Apache Flink's own test suites, replayed through `runWindowsTool`.
 * Each title names the source file and case. Inputs and expected outputs are translated as they
 * are; where a case relies on semantics Sluice does not share, the comment says what differs and
 * how the case was adapted.
 *
 * Translation rules:
 * - Beam Python (`trigger_transcripts.yaml`, `trigger_test.py`) timestamps are seconds: an element
 *   at `t` becomes `ts: t * 1000` with `value: t` (transcripts print the timestamps as the values).
 *   A transcript window `[start, maxTimestamp]` is `start`…`(maxTimestamp + 1)` seconds here.
 *   Transcripts compare sorted values, so the helpers sort `values` before comparing.
 * - Beam Java tests use milliseconds as they are.
 * - Flink watermarks: a Flink watermark `W` promises no more elements with timestamp `<= W`; a Beam
 *   (and Sluice) watermark promises none `< W`. So Flink's `W` is Sluice's `W + 1`, and then Flink's
 *   firing (`maxTimestamp <= W`) and lateness (`maxTimestamp + lateness <= W`) conditions are
 *   exactly Beam's (`maxTimestamp < W'`, `maxTimestamp + lateness < W'`). See {@link flinkWatermark}.
 * - The Python trigger driver never drops late data; Beam Java does (LateDataDroppingDoFnRunner)
 *   and so does Sluice. Cases that feed data behind an expired window are given enough
 *   `--lateness` to keep it, and the Java behaviour is checked separately.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWindowsToolOptions, runWindowsTool } from './windows-tool.js';

type Output = Record<string, unknown>;

/** Runs the tool and returns its output grouped by step; the last group is the end-of-input flush. */
async function transcript(flags: Readonly<Record<string, unknown>>, steps: readonly unknown[], options: { sortValues?: boolean } = {}): Promise<Output[][]> {
  const outputs: Output[][] = [...steps.map(() => []), []];
  let current = 0;
  function* lines(): Iterable<string> {
    for (const [i, step] of steps.entries()) {
      current = i;
      yield JSON.stringify(step);
    }
    current = steps.length;
  }
  await runWindowsTool(lines(), parseWindowsToolOptions(flags), (line) => {
    const out = JSON.parse(line) as Output;
    if (options.sortValues === true && Array.isArray(out.values)) out.values = [...(out.values as unknown[])].sort(compareValues);
    outputs[current]?.push(out);
  });
  return outputs;
}

function compareValues(a: unknown, b: unknown): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

// --- Beam Python helpers (seconds) ---
const sec = (t: number): number => t * 1000;
/** A transcript `input: [...]` action: one bundle of elements whose values are their timestamps. */
const input = (...timestamps: number[]) => timestamps.map((t) => ({ key: 'k', ts: sec(t), value: t }));
/** A transcript pane: window `[start, maxTimestamp]` in seconds. */
const tPane = (start: number, maxTimestamp: number, timing: string, values: unknown[]) => ({
  key: 'k',
  start: sec(start),
  end: sec(maxTimestamp + 1),
  timing,
  values,
});
/** `run_trigger_simple`'s bundling: bundles of `size`, reversed first when `size` is negative. */
function bundles<T>(data: readonly T[], size: number): T[][] {
  const items = size < 0 ? [...data].reverse() : [...data];
  const n = Math.abs(size);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
const lettered = (pairs: readonly [number, string][]) => pairs.map(([t, v]) => ({ key: 'k', ts: sec(t), value: v }));

// --- Flink helpers (milliseconds) ---
/** Flink's `processWatermark(new Watermark(W))`, translated: see the header. */
const flinkWatermark = (w: number) => ({ watermark: w + 1 });
const rec = (key: string, value: number, ts: number) => ({ key, ts, value });
const sumPane = (key: string, start: number, end: number, sum: number, timing = 'ON_TIME') => ({ key, start, end, timing, sum });

const TRANSCRIPTS = 'beam sdks/python/apache_beam/transforms/trigger_transcripts.yaml';
const TRIGGER_TEST = 'beam sdks/python/apache_beam/transforms/trigger_test.py::TriggerTest';
const SESSIONS_TEST = 'beam sdks/java/core/src/test/java/org/apache/beam/sdk/transforms/windowing/SessionsTest.java';
const FLINK_WINDOW_OPERATOR_TEST = 'flink flink-streaming-java/src/test/java/org/apache/flink/streaming/runtime/operators/windowing/WindowOperatorTest.java';
const FLINK_SESSIONS_TEST = 'flink flink-streaming-java/src/test/java/org/apache/flink/streaming/runtime/operators/windowing/EventTimeSessionWindowsTest.java';

describe('conformance: Beam trigger transcripts', () => {
  it(`${TRANSCRIPTS}::fixed_default`, async () => {
    const out = await transcript({ window: 'fixed:10s' }, [input(1, 2, 3, 10, 11), { watermark: sec(25) }], { sortValues: true });
    assert.deepEqual(out, [[], [tPane(0, 9, 'ON_TIME', [1, 2, 3]), tPane(10, 19, 'ON_TIME', [10, 11])], []]);
  });

  it(`${TRANSCRIPTS}::fixed_default_late_data (lateness added so the late 7 is kept, as the Python driver keeps it)`, async () => {
    // Window [0,10s) has max timestamp 9.999s; at watermark 100s Beam Java would drop the 7 unless
    // 9999 + lateness >= 100000. 100s of lateness keeps it, and the transcript's late pane follows.
    const out = await transcript({ window: 'fixed:10s', lateness: '100s' }, [input(1, 2, 3, 10, 11, 25), { watermark: sec(100) }, input(7)], {
      sortValues: true,
    });
    assert.deepEqual(out, [
      [],
      [tPane(0, 9, 'ON_TIME', [1, 2, 3]), tPane(10, 19, 'ON_TIME', [10, 11]), tPane(20, 29, 'ON_TIME', [25])],
      [tPane(0, 9, 'LATE', [1, 2, 3, 7])],
      [],
    ]);
  });

  it(`${TRANSCRIPTS}::fixed_default_late_data with Beam Java's default zero lateness: the 7 is a late_event`, async () => {
    const out = await transcript({ window: 'fixed:10s' }, [input(1, 2, 3, 10, 11, 25), { watermark: sec(100) }, input(7)], { sortValues: true });
    assert.deepEqual(out[2], [{ dropped: { key: 'k', ts: 7000, value: 7 }, reason: 'late_event' }]);
    assert.deepEqual(out[3], []);
  });

  it(`${TRANSCRIPTS}::early_late_sessions (lateness added for the late inputs)`, async () => {
    // AfterWatermark(early=AfterCount(2), late=AfterCount(3)) over Sessions(10). The late inputs 1,
    // 3, 4 arrive after watermark 100 behind sessions ending at 11–14s; 100s of lateness keeps them.
    // The merged session stays in the late phase when they merge in (as this transcript expects), so
    // the late count of 3 is reached only with [3, 4].
    const out = await transcript(
      { window: 'session:10s', earlyCount: 2, lateCount: 3, lateness: '100s' },
      [input(1, 2, 3), input(4), input(5), input(6), { watermark: sec(100) }, input(1), input(3, 4)],
      {
        sortValues: true,
      },
    );
    assert.deepEqual(out, [
      [tPane(1, 12, 'EARLY', [1, 2, 3])],
      [],
      [tPane(1, 14, 'EARLY', [1, 2, 3, 4, 5])],
      [],
      [tPane(1, 15, 'ON_TIME', [1, 2, 3, 4, 5, 6])],
      [],
      [tPane(1, 15, 'LATE', [1, 1, 2, 3, 3, 4, 4, 5, 6])],
      [],
    ]);
  });

  it(`${TRANSCRIPTS}::known_late_data_watermark`, async () => {
    // Elements behind the watermark (2, 3 < 5) but in a window that is not yet complete are kept.
    const out = await transcript({ window: 'fixed:10s' }, [{ watermark: sec(5) }, input(2, 3, 7, 8), { watermark: sec(11) }], { sortValues: true });
    assert.deepEqual(out, [[], [], [tPane(0, 9, 'ON_TIME', [2, 3, 7, 8])], []]);
  });
});

describe('conformance: Beam trigger_test.py', () => {
  it(`${TRIGGER_TEST}::test_fixed_watermark_with_early`, async () => {
    // FixedWindows(10), AfterWatermark(early=AfterCount(2)), ACCUMULATING, [(1,a),(2,b),(3,c)].
    // The harness fires all timers after the bundles: here, a watermark at the window end.
    const data = lettered([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    const expected: Record<number, string[][]> = {
      2: [
        ['a', 'b'],
        ['a', 'b', 'c'],
      ],
      3: [
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ],
    };
    for (const grouping of [2, 3]) {
      const out = await transcript({ window: 'fixed:10s', earlyCount: 2 }, [...bundles(data, grouping), { watermark: sec(10) }]);
      const panes = out.flat();
      assert.deepEqual(
        panes.map((p) => p.values),
        expected[grouping],
        `grouping ${grouping}`,
      );
      assert.deepEqual(
        panes.map((p) => [p.start, p.end, p.timing]),
        [
          [0, 10_000, 'EARLY'],
          [0, 10_000, 'ON_TIME'],
        ],
      );
    }
  });

  it(`${TRIGGER_TEST}::test_fixed_watermark_with_early_late`, async () => {
    // FixedWindows(100), AfterWatermark(early=AfterCount(3), late=AfterCount(2)), DISCARDING,
    // data 0..8 = a..i and late data 0..4 = v..z, in bundles of 2. Expected panes for [0,100):
    // abcd, efgh (early), i (on time), vw, xy (late). The Python harness stops there; Sluice, like
    // Beam Java's ReduceFnRunner (ClosingBehavior.FIRE_IF_NON_EMPTY), also emits the unfired z in a
    // closing LATE pane when the window is garbage-collected at end of input.
    const data = lettered([...'abcdefghi'].map((v, i) => [i, v] as [number, string]));
    const late = lettered([...'vwxyz'].map((v, i) => [i, v] as [number, string]));
    const out = await transcript({ window: 'fixed:100s', earlyCount: 3, lateCount: 2, mode: 'discarding', lateness: '1h' }, [
      ...bundles(data, 2),
      { watermark: sec(100) },
      ...bundles(late, 2),
    ]);
    const pane = (timing: string, values: string[]) => ({ key: 'k', start: 0, end: 100_000, timing, values });
    assert.deepEqual(out, [
      [],
      [pane('EARLY', ['a', 'b', 'c', 'd'])],
      [],
      [pane('EARLY', ['e', 'f', 'g', 'h'])],
      [],
      [pane('ON_TIME', ['i'])],
      [pane('LATE', ['v', 'w'])],
      [pane('LATE', ['x', 'y'])],
      [],
      [pane('LATE', ['z'])],
    ]);
  });

  it(`${TRIGGER_TEST}::test_sessions_watermark_with_early_late`, async () => {
    // Sessions(10), AfterWatermark(early=AfterCount(2), late=AfterCount(1)), ACCUMULATING,
    // [(1,a),(15,b),(7,c),(30,d)] and late [(1,x),(2,y),(21,z)] in bundles of 2. Expected:
    // [1,25): abc (early), abc (on time), abcxy (late); [30,40): d (on time); [1,40): abcdxyz (late).
    const data = lettered([
      [1, 'a'],
      [15, 'b'],
      [7, 'c'],
      [30, 'd'],
    ]);
    const late = lettered([
      [1, 'x'],
      [2, 'y'],
      [21, 'z'],
    ]);
    const out = await transcript(
      { window: 'session:10s', earlyCount: 2, lateCount: 1, lateness: '1h' },
      [...bundles(data, 2), { watermark: sec(40) }, ...bundles(late, 2)],
      { sortValues: true },
    );
    const pane = (start: number, end: number, timing: string, values: string) => ({ key: 'k', start: sec(start), end: sec(end), timing, values: [...values] });
    assert.deepEqual(out, [
      [],
      [pane(1, 25, 'EARLY', 'abc')],
      [pane(1, 25, 'ON_TIME', 'abc'), pane(30, 40, 'ON_TIME', 'd')],
      [pane(1, 25, 'LATE', 'abcxy')],
      [pane(1, 40, 'LATE', 'abcdxyz')],
      [],
    ]);
  });

  it(`${TRIGGER_TEST}::test_sessions_default (AfterWatermark, every grouping of the original)`, async () => {
    const data = lettered([
      [1, 'a'],
      [2, 'b'],
      [15, 'c'],
      [16, 'd'],
      [30, 'z'],
      [9, 'e'],
      [10, 'f'],
      [30, 'y'],
    ]);
    for (const grouping of [1, 2, 3, 4, 5, 6, -4, -2, -1]) {
      const out = await transcript({ window: 'session:10s' }, [...bundles(data, grouping), { watermark: sec(40) }], { sortValues: true });
      assert.deepEqual(
        out.flat(),
        [
          { key: 'k', start: sec(1), end: sec(26), timing: 'ON_TIME', values: [...'abcdef'] },
          { key: 'k', start: sec(30), end: sec(40), timing: 'ON_TIME', values: ['y', 'z'] },
        ],
        `grouping ${grouping}`,
      );
    }
  });
});

describe('conformance: Beam SessionsTest (touching sessions do not merge)', () => {
  const sessionsOf = async (gap: number, timestamps: number[]) =>
    (
      await transcript(
        { window: `session:${gap}`, agg: 'collect' },
        timestamps.map((ts) => ({ key: 'k', ts, value: ts })),
        { sortValues: true },
      )
    )
      .flat()
      .map((p) => [p.start, p.end, p.values]);

  it(`${SESSIONS_TEST}::testSimple`, async () => {
    // 0 and 10 with a gap of 10 give [0,10) and [10,20): they touch, and Beam keeps them apart.
    assert.deepEqual(await sessionsOf(10, [0, 10, 101]), [
      [0, 10, [0]],
      [10, 20, [10]],
      [101, 111, [101]],
    ]);
  });

  it(`${SESSIONS_TEST}::testConsecutive`, async () => {
    assert.deepEqual(await sessionsOf(10, [1, 2, 5, 9, 100, 101]), [
      [1, 19, [1, 2, 5, 9]],
      [100, 111, [100, 101]],
    ]);
  });

  it(`${SESSIONS_TEST}::testMerging`, async () => {
    assert.deepEqual(await sessionsOf(10, [1, 15, 30, 100, 101, 95, 22, 10]), [
      [1, 40, [1, 10, 15, 22, 30]],
      [95, 111, [95, 100, 101]],
    ]);
  });

  it(`${SESSIONS_TEST}::testTimeUnit`, async () => {
    assert.deepEqual(await sessionsOf(1000, [1, 2, 1000, 5000, 5001, 10000]), [
      [1, 2000, [1, 2, 1000]],
      [5000, 6001, [5000, 5001]],
      [10000, 11000, [10000]],
    ]);
  });

  it(`${FLINK_SESSIONS_TEST}::testMergeConsecutiveWindows (adapted: Flink merges touching windows, Beam and Sluice do not)`, async () => {
    // Flink merges [0,1),[1,2),[2,3) into [0,3) and [4,5),[5,6) into [4,6), because its
    // TimeWindow.intersects is start <= other.end && end >= other.start. The same proto-windows come
    // from elements at 0,1,2,4,5 with a 1 ms gap; under Beam's strict intersection none overlap, so
    // each stays its own session. This pins the deliberate difference.
    assert.deepEqual(await sessionsOf(1, [0, 1, 2, 4, 5]), [
      [0, 1, [0]],
      [1, 2, [1]],
      [2, 3, [2]],
      [4, 5, [4]],
      [5, 6, [5]],
    ]);
  });
});

describe('conformance: Flink WindowOperatorTest', () => {
  // The out-of-order input shared by the sliding and tumbling tests (values are all 1, summed).
  const outOfOrder = [
    rec('key2', 1, 3999),
    rec('key2', 1, 3000),
    rec('key1', 1, 20),
    rec('key1', 1, 0),
    rec('key1', 1, 999),
    rec('key2', 1, 1998),
    rec('key2', 1, 1999),
    rec('key2', 1, 1000),
  ];

  it(`${FLINK_WINDOW_OPERATOR_TEST}::testSlidingEventTimeWindowsReduce`, async () => {
    // SlidingEventTimeWindows.of(3s, 1s), SumReducer, EventTimeTrigger. (Flink also snapshots and
    // restores mid-way; window-operator.test.ts checks that for Sluice's operator.)
    const marks = [999, 1999, 2999, 3999, 4999, 5999, 6999, 7999];
    const out = await transcript({ window: 'sliding:3s,1s', agg: 'sum' }, [...outOfOrder, ...marks.map(flinkWatermark)]);
    assert.deepEqual(out.slice(0, outOfOrder.length).flat(), []);
    assert.deepEqual(out.slice(outOfOrder.length), [
      [sumPane('key1', -2000, 1000, 3)],
      [sumPane('key1', -1000, 2000, 3), sumPane('key2', -1000, 2000, 3)],
      [sumPane('key1', 0, 3000, 3), sumPane('key2', 0, 3000, 3)],
      [sumPane('key2', 1000, 4000, 5)],
      [sumPane('key2', 2000, 5000, 2)],
      [sumPane('key2', 3000, 6000, 2)],
      [],
      [],
      [],
    ]);
  });

  it(`${FLINK_WINDOW_OPERATOR_TEST}::testTumblingEventTimeWindowsReduce`, async () => {
    const marks = [999, 1999, 2999, 3999, 4999, 5999, 6999, 7999];
    const out = await transcript({ window: 'fixed:3s', agg: 'sum' }, [...outOfOrder, ...marks.map(flinkWatermark)]);
    assert.deepEqual(out.slice(0, outOfOrder.length).flat(), []);
    assert.deepEqual(out.slice(outOfOrder.length), [
      [],
      [],
      [sumPane('key1', 0, 3000, 3), sumPane('key2', 0, 3000, 3)],
      [],
      [],
      [sumPane('key2', 3000, 6000, 2)],
      [],
      [],
      [],
    ]);
  });

  it(`${FLINK_WINDOW_OPERATOR_TEST}::testSessionWindows`, async () => {
    // EventTimeSessionWindows.withGap(3s); Flink's SessionWindowFunction prints "key-sum" with the
    // window bounds: key1-6 [10,5500), key2-6 [0,5500), key2-20 [5501,9050), then key2-30 [15000,18000).
    // No pair of sessions here merely touches ([0,5500) and [5501,8501) are 1 ms apart), so Flink's
    // touching-merge rule makes no difference.
    const steps = [
      rec('key2', 1, 0),
      rec('key2', 2, 1000),
      rec('key2', 3, 2500),
      rec('key1', 1, 10),
      rec('key1', 2, 1000),
      rec('key1', 3, 2500),
      rec('key2', 4, 5501),
      rec('key2', 5, 6000),
      rec('key2', 5, 6000),
      rec('key2', 6, 6050),
      flinkWatermark(12000),
      rec('key2', 10, 15000),
      rec('key2', 20, 15000),
      flinkWatermark(17999),
    ];
    const out = await transcript({ window: 'session:3s', agg: 'sum' }, steps);
    assert.deepEqual(out[10], [sumPane('key2', 0, 5500, 6), sumPane('key1', 10, 5500, 6), sumPane('key2', 5501, 9050, 20)]);
    assert.deepEqual(out[13], [sumPane('key2', 15000, 18000, 30)]);
    assert.equal(out.flat().length, 4);
  });

  it(`${FLINK_WINDOW_OPERATOR_TEST}::testLateness`, async () => {
    // TumblingEventTimeWindows(2s), PurgingTrigger(EventTimeTrigger) = discarding, lateness 500 ms.
    // 1997 arrives after the window fired but within lateness: a late pane of just 1 ("1 and not 3
    // because the trigger fires and purges"). 1998 arrives after 1999 + 500 < watermark: Flink drops
    // it silently; Sluice reports it as a late_event.
    const out = await transcript({ window: 'fixed:2s', lateness: 500, mode: 'discarding', agg: 'sum' }, [
      rec('key2', 1, 500),
      flinkWatermark(1500),
      rec('key2', 1, 1300),
      flinkWatermark(2300),
      rec('key2', 1, 1997),
      flinkWatermark(6000),
      rec('key2', 1, 1998),
      flinkWatermark(7000),
    ]);
    assert.deepEqual(out, [
      [],
      [],
      [],
      [sumPane('key2', 0, 2000, 2)],
      [sumPane('key2', 0, 2000, 1, 'LATE')],
      [],
      [{ dropped: rec('key2', 1, 1998), reason: 'late_event' }],
      [],
      [],
    ]);
  });

  it(`${FLINK_WINDOW_OPERATOR_TEST}::testDropDueToLatenessTumbling`, async () => {
    const out = await transcript({ window: 'fixed:2s', agg: 'sum' }, [
      rec('key2', 1, 1000),
      flinkWatermark(1985),
      rec('key2', 1, 1980), // not dropped: window max timestamp 1999 + 0 is not before the watermark
      flinkWatermark(1999),
      rec('key2', 1, 1998), // dropped as late
      rec('key2', 1, 2001),
      flinkWatermark(2999),
      flinkWatermark(3999),
    ]);
    assert.deepEqual(out, [
      [],
      [],
      [],
      [sumPane('key2', 0, 2000, 2)],
      [{ dropped: rec('key2', 1, 1998), reason: 'late_event' }],
      [],
      [],
      [sumPane('key2', 2000, 4000, 1)],
      [],
    ]);
  });

  it(`${FLINK_WINDOW_OPERATOR_TEST}::testDropDueToLatenessSliding`, async () => {
    // "the following 2 elements (2400) are assigned to windows ending at 2999, 3999, 4999. The 2999
    // is dropped because it is already late but the rest are kept": a partly expired element is
    // not a late_event. The final 3001 of key1 has all its windows expired: a late_event.
    const out = await transcript({ window: 'sliding:3s,1s', agg: 'sum' }, [
      rec('key2', 1, 1000),
      flinkWatermark(1999),
      rec('key2', 1, 2000),
      flinkWatermark(3000),
      rec('key1', 1, 3001),
      rec('key2', 1, 2400),
      rec('key2', 1, 2400),
      rec('key1', 1, 3001),
      rec('key2', 1, 3900),
      flinkWatermark(6000),
      rec('key1', 1, 3001),
      flinkWatermark(25000),
    ]);
    assert.deepEqual(out[1], [sumPane('key2', -1000, 2000, 1)]);
    assert.deepEqual(out[3], [sumPane('key2', 0, 3000, 2)]);
    assert.deepEqual(out.slice(4, 9).flat(), [], 'the 2400s are kept for their open windows, not reported');
    assert.deepEqual(out[9], [
      sumPane('key1', 1000, 4000, 2),
      sumPane('key2', 1000, 4000, 5),
      sumPane('key1', 2000, 5000, 2),
      sumPane('key2', 2000, 5000, 4),
      sumPane('key1', 3000, 6000, 2),
      sumPane('key2', 3000, 6000, 1),
    ]);
    assert.deepEqual(out[10], [{ dropped: rec('key1', 1, 3001), reason: 'late_event' }]);
    assert.deepEqual(out.slice(11).flat(), []);
  });

  it(`${FLINK_WINDOW_OPERATOR_TEST}::testDropDueToLatenessSessionZeroLateness`, async () => {
    // Sessions with a 3s gap, zero lateness, accumulating EventTimeTrigger. 4500 is kept because its
    // proto-window [4500,7500) is not expired; 7000 merges [1000,7500) with [8500,11500); 10000 is
    // dropped; 14500 does not merge with the already collected [11600,14600).
    const out = await transcript({ window: 'session:3s', agg: 'sum' }, [
      rec('key2', 1, 1000),
      flinkWatermark(1999),
      rec('key2', 1, 2000),
      flinkWatermark(4998),
      rec('key2', 1, 4500),
      rec('key2', 1, 8500),
      flinkWatermark(7400),
      rec('key2', 1, 7000),
      flinkWatermark(11501),
      rec('key2', 1, 11600),
      flinkWatermark(14600),
      rec('key2', 1, 10000),
      rec('key2', 1, 14500),
      flinkWatermark(20000),
      flinkWatermark(100000),
    ]);
    assert.deepEqual(out, [
      [],
      [],
      [],
      [],
      [],
      [],
      [],
      [],
      [sumPane('key2', 1000, 11500, 5)],
      [],
      [sumPane('key2', 11600, 14600, 1)],
      [{ dropped: rec('key2', 1, 10000), reason: 'late_event' }],
      [],
      [sumPane('key2', 14500, 17500, 1)],
      [],
      [],
    ]);
  });
});
