import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.js';
import { type CombineFn, collect, count, distinctCount, mean } from './combiners.js';
import { WindowOptionError } from './errors.js';
import { type Pane, type StepResult, WindowOperator, type WindowOperatorConfig, type WindowOperatorSnapshot } from './window-operator.js';
import { fixedWindows, sessions, slidingWindows } from './windows.js';

/** A pane as a compact tuple: [key, start, end, timing, value]. */
function brief<O>(result: StepResult<O, unknown>): [string, number, number, string, O][] {
  return result.panes.map((p) => [p.key, p.window.start, p.window.end, p.timing, p.value]);
}

function collector(config: Partial<WindowOperatorConfig<string, string[], string[]>> = {}): WindowOperator<string, string[], string[]> {
  return new WindowOperator({ windowFn: fixedWindows(10), combine: collect<string>(), ...config });
}

describe('WindowOperator: window functions', () => {
  it('fixed windows with an offset', () => {
    const op = collector({ windowFn: fixedWindows(10, 5) });
    op.processElement('k', 4, 'a');
    op.processElement('k', 5, 'b');
    op.processElement('k', 14, 'c');
    assert.deepEqual(brief(op.advanceWatermark(5)), [['k', -5, 5, 'ON_TIME', ['a']]]);
    assert.deepEqual(brief(op.advanceWatermark(15)), [['k', 5, 15, 'ON_TIME', ['b', 'c']]]);
  });

  it('sliding windows: an element lands in every overlapping window', () => {
    const op = new WindowOperator({ windowFn: slidingWindows(30, 10), combine: count() });
    op.processElement('k', 15, null);
    op.processElement('k', 25, null);
    assert.deepEqual(brief(op.advanceWatermark(1_000)), [
      ['k', -10, 20, 'ON_TIME', 1],
      ['k', 0, 30, 'ON_TIME', 2],
      ['k', 10, 40, 'ON_TIME', 2],
      ['k', 20, 50, 'ON_TIME', 1],
    ]);
  });

  it('sessions: overlapping proto-windows merge, values and counts carry over', () => {
    const op = collector({ windowFn: sessions(10) });
    op.processElement('k', 1, 'a');
    op.processElement('k', 15, 'b');
    assert.equal(op.stats.openWindows, 2);
    op.processElement('k', 7, 'c'); // [7,17) bridges [1,11) and [15,25)
    assert.equal(op.stats.openWindows, 1);
    assert.deepEqual(brief(op.advanceWatermark(100)), [['k', 1, 25, 'ON_TIME', ['a', 'b', 'c']]]);
  });

  it('sessions: windows that only touch do not merge (Beam), so [0,10) and [10,20) fire apart', () => {
    const op = collector({ windowFn: sessions(10) });
    op.processElement('k', 0, 'a');
    op.processElement('k', 10, 'b');
    assert.deepEqual(brief(op.advanceWatermark(100)), [
      ['k', 0, 10, 'ON_TIME', ['a']],
      ['k', 10, 20, 'ON_TIME', ['b']],
    ]);
  });

  it('keeps keys apart', () => {
    const op = collector({ windowFn: sessions(10) });
    op.processElements([
      { key: 'b', ts: 1, value: 'b1' },
      { key: 'a', ts: 5, value: 'a1' },
    ]);
    assert.deepEqual(brief(op.advanceWatermark(100)), [
      ['b', 1, 11, 'ON_TIME', ['b1']],
      ['a', 5, 15, 'ON_TIME', ['a1']],
    ]);
  });
});

describe('WindowOperator: triggers', () => {
  it('ON_TIME fires when the watermark passes end − 1 (watermark ≥ end), not at end − 1', () => {
    const op = collector();
    op.processElement('k', 3, 'a');
    assert.deepEqual(brief(op.advanceWatermark(9)), [], 'watermark 9: an element at 9 may still come');
    const panes = op.advanceWatermark(10).panes;
    assert.equal(panes.length, 1);
    assert.deepEqual(panes[0], { key: 'k', window: { start: 0, end: 10 }, timing: 'ON_TIME', index: 0, isFirst: true, isLast: true, value: ['a'] });
    assert.equal(op.stats.openWindows, 0, 'zero lateness: collected with the ON_TIME pane');
  });

  it('early count: fires every N elements since the last pane', () => {
    const op = collector({ earlyCount: 2 });
    assert.deepEqual(brief(op.processElement('k', 1, 'a')), []);
    assert.deepEqual(brief(op.processElement('k', 2, 'b')), [['k', 0, 10, 'EARLY', ['a', 'b']]]);
    assert.deepEqual(brief(op.processElement('k', 3, 'c')), []);
    assert.deepEqual(brief(op.processElement('k', 4, 'd')), [['k', 0, 10, 'EARLY', ['a', 'b', 'c', 'd']]]);
    assert.deepEqual(brief(op.processElement('k', 5, 'e')), []);
    const onTime = op.advanceWatermark(10).panes[0];
    assert.deepEqual([onTime?.timing, onTime?.index, onTime?.isFirst, onTime?.value], ['ON_TIME', 2, false, ['a', 'b', 'c', 'd', 'e']]);
  });

  it('early count counts a whole bundle before evaluating, so a bundle fires once', () => {
    const op = collector({ earlyCount: 3 });
    const step = op.processElements(['a', 'b', 'c', 'd'].map((value, i) => ({ key: 'k', ts: i, value })));
    assert.deepEqual(brief(step), [['k', 0, 10, 'EARLY', ['a', 'b', 'c', 'd']]]);
  });

  it('early processing time: fires D after the first element of the pane (simulated clock, no sleeping)', () => {
    const clock = new ManualClock(1_000);
    const op = collector({ earlyEvery: 60, clock });
    op.processElement('k', 1, 'a'); // pane's first element at 1000: timer at 1060
    clock.advance(30);
    op.processElement('k', 2, 'b');
    clock.advance(29);
    assert.deepEqual(brief(op.advanceProcessingTime()), [], '1059: not yet');
    clock.advance(1);
    assert.deepEqual(brief(op.advanceProcessingTime()), [['k', 0, 10, 'EARLY', ['a', 'b']]]);
    clock.advance(500);
    assert.deepEqual(brief(op.advanceProcessingTime()), [], 'no element since the last pane: no timer');
    op.processElement('k', 3, 'c'); // first element of the next pane at 1560
    assert.deepEqual(brief(op.advanceProcessingTime(1_619)), []);
    assert.deepEqual(brief(op.advanceProcessingTime(1_620)), [['k', 0, 10, 'EARLY', ['a', 'b', 'c']]]);
  });

  it('early count and processing time together: whichever comes first, and a firing resets both', () => {
    const op = collector({ earlyCount: 3, earlyEvery: 100, initialProcessingTime: 0 });
    op.processElement('k', 1, 'a'); // timer at 100
    op.processElement('k', 2, 'b');
    assert.deepEqual(brief(op.processElement('k', 3, 'c')).length, 1, 'count fired first');
    assert.deepEqual(brief(op.advanceProcessingTime(100)), [], 'the timer went with the pane');
    op.processElement('k', 4, 'd'); // new timer at 200
    assert.deepEqual(brief(op.advanceProcessingTime(200)), [['k', 0, 10, 'EARLY', ['a', 'b', 'c', 'd']]]);
  });

  it('the ON_TIME pane fires even when early panes emitted everything: accumulating repeats, discarding is empty', () => {
    const acc = collector({ earlyCount: 2 });
    acc.processElements([
      { key: 'k', ts: 1, value: 'a' },
      { key: 'k', ts: 2, value: 'b' },
    ]);
    assert.deepEqual(brief(acc.advanceWatermark(10)), [['k', 0, 10, 'ON_TIME', ['a', 'b']]]);

    const dis = collector({ earlyCount: 2, accumulation: 'discarding' });
    assert.deepEqual(
      brief(
        dis.processElements([
          { key: 'k', ts: 1, value: 'a' },
          { key: 'k', ts: 2, value: 'b' },
        ]),
      ),
      [['k', 0, 10, 'EARLY', ['a', 'b']]],
    );
    assert.deepEqual(brief(dis.advanceWatermark(10)), [['k', 0, 10, 'ON_TIME', []]]);
  });

  it('late firings: every lateCount late elements while within allowed lateness, then a final pane at GC', () => {
    const op = collector({ allowedLateness: 20, lateCount: 2 });
    op.processElement('k', 1, 'a');
    const onTime = op.advanceWatermark(10).panes[0];
    assert.deepEqual([onTime?.timing, onTime?.isLast], ['ON_TIME', false]);
    assert.deepEqual(brief(op.processElement('k', 2, 'b')), [], '1 late element < lateCount');
    const late = op.processElement('k', 3, 'c').panes[0];
    assert.deepEqual([late?.timing, late?.index, late?.value, late?.isLast], ['LATE', 1, ['a', 'b', 'c'], false]);
    op.processElement('k', 4, 'd');
    // GC when the watermark passes end − 1 + lateness = 29: the unfired late element goes out in a last pane.
    assert.deepEqual(brief(op.advanceWatermark(29)), []);
    const last = op.advanceWatermark(30).panes[0];
    assert.deepEqual([last?.timing, last?.index, last?.isLast, last?.value], ['LATE', 2, true, ['a', 'b', 'c', 'd']]);
    assert.equal(op.stats.openWindows, 0);
  });

  it('lateness expiry: an element whose window expired comes back as a late_event, counted, not silently dropped', () => {
    const op = collector({ allowedLateness: 5 });
    op.processElement('k', 1, 'a');
    op.advanceWatermark(14); // window [0,10): max timestamp 9, + 5 = 14, not < 14: still accepts
    assert.deepEqual(brief(op.processElement('k', 2, 'b')), [['k', 0, 10, 'LATE', ['a', 'b']]]);
    op.advanceWatermark(15); // 14 < 15: expired and collected
    const result = op.processElement('k', 3, 'c');
    assert.deepEqual(result.panes, []);
    assert.deepEqual(result.dropped, [{ element: { key: 'k', ts: 3, value: 'c' }, reason: 'late_event', windows: [{ start: 0, end: 10 }] }]);
    assert.equal(op.stats.droppedLate, 1);
    assert.equal(op.stats.elements, 3);
  });

  it('a bundle returns the caller’s own element objects for the dropped ones', () => {
    const op = collector();
    op.advanceWatermark(100);
    const tagged = { key: 'k', ts: 5, value: 'old', source: 'line 7' };
    const fresh = { key: 'k', ts: 150, value: 'new', source: 'line 8' };
    const result = op.processElements([tagged, fresh]);
    assert.equal(result.dropped.length, 1);
    assert.equal(result.dropped[0]?.element, tagged);
  });

  it('sliding windows: an element with some expired windows is kept for the others (counted as expired assignments)', () => {
    const op = new WindowOperator({ windowFn: slidingWindows(30, 10), combine: count() });
    op.advanceWatermark(21); // [-10,20) expired; [0,30), [10,40) open
    const result = op.processElement('k', 15, null);
    assert.deepEqual(result.dropped, []);
    assert.equal(op.stats.expiredAssignments, 1);
    assert.deepEqual(brief(op.advanceWatermark(1_000)), [
      ['k', 0, 30, 'ON_TIME', 1],
      ['k', 10, 40, 'ON_TIME', 1],
    ]);
  });

  it('a window first seen after the watermark passed its end (but within lateness) fires LATE at once and never ON_TIME', () => {
    const op = collector({ allowedLateness: 100, lateCount: 3 });
    op.advanceWatermark(50);
    const pane = op.processElement('k', 12, 'x').panes[0];
    assert.deepEqual([pane?.timing, pane?.index, pane?.window], ['LATE', 0, { start: 10, end: 20 }]);
    assert.deepEqual(brief(op.processElement('k', 13, 'y')), [], 'then late firings every lateCount');
    const last = op.advanceWatermark(1_000).panes[0];
    assert.deepEqual([last?.timing, last?.isLast, last?.value], ['LATE', true, ['x', 'y']]);
  });

  it('late data re-opening merged sessions: stays in the late phase and counts lateCount', () => {
    const op = collector({ windowFn: sessions(10), allowedLateness: 1_000, lateCount: 2 });
    op.processElement('k', 1, 'a');
    assert.deepEqual(brief(op.advanceWatermark(11)), [['k', 1, 11, 'ON_TIME', ['a']]]);
    assert.deepEqual(brief(op.processElement('k', 5, 'b')), []);
    assert.deepEqual(brief(op.processElement('k', 6, 'c')), [['k', 1, 16, 'LATE', ['a', 'b', 'c']]]);
  });

  it('discarding vs accumulating across early, on-time and late panes', () => {
    const run = (accumulation: 'accumulating' | 'discarding') => {
      const op = collector({ earlyCount: 2, allowedLateness: 100, accumulation });
      const out = [
        ...brief(op.processElement('k', 1, 'a')),
        ...brief(op.processElement('k', 2, 'b')),
        ...brief(op.processElement('k', 3, 'c')),
        ...brief(op.advanceWatermark(10)),
        ...brief(op.processElement('k', 4, 'd')),
      ];
      return out.map(([, , , timing, value]) => [timing, value]);
    };
    assert.deepEqual(run('accumulating'), [
      ['EARLY', ['a', 'b']],
      ['ON_TIME', ['a', 'b', 'c']],
      ['LATE', ['a', 'b', 'c', 'd']],
    ]);
    assert.deepEqual(run('discarding'), [
      ['EARLY', ['a', 'b']],
      ['ON_TIME', ['c']],
      ['LATE', ['d']],
    ]);
  });

  it('orders the panes of one step by window end, then start, then key', () => {
    const op = new WindowOperator({ windowFn: slidingWindows(20, 10), combine: count() });
    op.processElements([
      { key: 'b', ts: 12, value: null },
      { key: 'a', ts: 12, value: null },
      { key: 'c', ts: 3, value: null },
    ]);
    const order = op.advanceWatermark(1_000).panes.map((p: Pane<number>) => `${p.window.start}-${p.window.end}:${p.key}`);
    assert.deepEqual(order, ['-10-10:c', '0-20:a', '0-20:b', '0-20:c', '10-30:a', '10-30:b']);
  });

  it('watermarks never go back; NaN is refused', () => {
    const op = collector();
    op.advanceWatermark(100);
    op.advanceWatermark(50);
    assert.equal(op.watermark, 100);
    assert.throws(() => op.advanceWatermark(Number.NaN), TypeError);
    assert.throws(() => op.processElement('k', Number.NaN, 'x'), TypeError);
  });

  it('validates its configuration', () => {
    assert.throws(() => collector({ earlyCount: 0 }), WindowOptionError);
    assert.throws(() => collector({ lateCount: 1.5 }), WindowOptionError);
    assert.throws(() => collector({ earlyEvery: -1 }), WindowOptionError);
    assert.throws(() => collector({ allowedLateness: Number.POSITIVE_INFINITY }), WindowOptionError);
    assert.throws(() => collector({ accumulation: 'both' as 'accumulating' }), WindowOptionError);
    assert.ok(Object.isFrozen(collector().config));
  });

  it('garbage-collects window and key state', () => {
    const op = new WindowOperator({ windowFn: fixedWindows(10), combine: count(), allowedLateness: 10 });
    for (let k = 0; k < 100; k++) op.processElement(`k${k}`, k % 10, null);
    assert.equal(op.stats.openWindows, 100);
    op.advanceWatermark(10);
    assert.equal(op.stats.openWindows, 100, 'within lateness: kept');
    op.advanceWatermark(20);
    assert.equal(op.stats.openWindows, 0);
    assert.deepEqual(op.snapshot().windows, []);
  });
});

/** A deterministic mixed workload: elements, bundles, watermarks and processing-time advances. */
type Step =
  | { kind: 'element'; key: string; ts: number; value: number }
  | { kind: 'bundle'; items: { key: string; ts: number; value: number }[] }
  | { kind: 'watermark'; t: number }
  | { kind: 'proc'; t: number };

function workload(seed: number, n: number): Step[] {
  let s = seed;
  // mulberry32: 32-bit integer math, so the sequence is well spread and identical everywhere.
  const rand = (m: number): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % m;
  };
  const steps: Step[] = [];
  let watermark = 0;
  let proc = 0;
  for (let i = 0; i < n; i++) {
    const r = rand(10);
    const ts = watermark + rand(500) - 300; // some late, some very late
    if (r < 5) steps.push({ kind: 'element', key: `k${rand(5)}`, ts, value: rand(100) });
    else if (r < 7)
      steps.push({
        kind: 'bundle',
        items: Array.from({ length: 1 + rand(4) }, () => ({ key: `k${rand(5)}`, ts: watermark + rand(300) - 100, value: rand(100) })),
      });
    else if (r < 9) {
      watermark += rand(60);
      steps.push({ kind: 'watermark', t: watermark });
    } else {
      proc += rand(80);
      steps.push({ kind: 'proc', t: proc });
    }
  }
  return steps;
}

function apply<A, O>(op: WindowOperator<number, A, O>, step: Step): StepResult<O, unknown> {
  switch (step.kind) {
    case 'element':
      return op.processElement(step.key, step.ts, step.value);
    case 'bundle':
      return op.processElements(step.items);
    case 'watermark':
      return op.advanceWatermark(step.t);
    case 'proc':
      return op.advanceProcessingTime(step.t);
  }
}

describe('WindowOperator: checkpoint and restore', () => {
  const cases: { name: string; config: () => WindowOperatorConfig<number, unknown, unknown> }[] = [
    {
      name: 'fixed, accumulating, early count + time, late count 2',
      config: () => ({
        windowFn: fixedWindows(100, 7),
        combine: collect<number>() as CombineFn<number, unknown, unknown>,
        earlyCount: 3,
        earlyEvery: 50,
        lateCount: 2,
        allowedLateness: 120,
      }),
    },
    {
      name: 'sliding, discarding, mean',
      config: () => ({
        windowFn: slidingWindows(150, 50),
        combine: mean() as CombineFn<number, unknown, unknown>,
        earlyCount: 2,
        allowedLateness: 60,
        accumulation: 'discarding',
      }),
    },
    {
      name: 'sessions, accumulating, distinct count (non-JSON accumulator)',
      config: () => ({
        windowFn: sessions(40),
        combine: distinctCount() as CombineFn<number, unknown, unknown>,
        earlyEvery: 30,
        lateCount: 3,
        allowedLateness: 200,
      }),
    },
    {
      name: 'sessions, discarding, collect, zero lateness',
      config: () => ({ windowFn: sessions(25), combine: collect<number>() as CombineFn<number, unknown, unknown>, earlyCount: 2, accumulation: 'discarding' }),
    },
  ];

  for (const { name, config } of cases) {
    it(`resumes without duplicate or missing panes: ${name}`, () => {
      const steps = workload(name.length * 7919, 600);
      const flush = (op: WindowOperator<number, unknown, unknown>) => [op.advanceWatermark(Number.POSITIVE_INFINITY)];

      const whole = new WindowOperator(config());
      const expected = [...steps.map((s) => apply(whole, s)), ...flush(whole)];

      const half = Math.floor(steps.length / 2);
      const first = new WindowOperator(config());
      const before = steps.slice(0, half).map((s) => apply(first, s));
      const saved = JSON.parse(JSON.stringify(first.snapshot())) as WindowOperatorSnapshot;
      // Keep going on the original after the snapshot: the snapshot must not share live state.
      for (const s of steps.slice(half)) apply(first, s);
      const resumed = WindowOperator.restore(saved, config());
      const after = [...steps.slice(half).map((s) => apply(resumed, s)), ...flush(resumed)];

      assert.deepEqual([...before, ...after], expected);
      assert.deepEqual(resumed.stats, whole.stats);
      const panes = expected.reduce((n, r) => n + r.panes.length, 0);
      const dropped = expected.reduce((n, r) => n + r.dropped.length, 0);
      assert.ok(panes > 50 && dropped > 0, `the workload exercises the operator (${panes} panes, ${dropped} dropped)`);
    });
  }

  it('refuses a snapshot taken under another window function', () => {
    const op = new WindowOperator({ windowFn: fixedWindows(10), combine: count() });
    op.processElement('k', 1, null);
    const snap = op.snapshot();
    assert.throws(() => WindowOperator.restore(snap, { windowFn: fixedWindows(20), combine: count() }), /fixed\(10,0\).*fixed\(20,0\)/);
    assert.throws(
      () => WindowOperator.restore({ format: 'other' } as unknown as WindowOperatorSnapshot, { windowFn: fixedWindows(10), combine: count() }),
      WindowOptionError,
    );
  });

  it('encodes infinite times as strings, so the snapshot is plain JSON', () => {
    const op = new WindowOperator({ windowFn: fixedWindows(10), combine: count() });
    const snap = op.snapshot();
    assert.equal(snap.watermark, '-inf');
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
  });
});
