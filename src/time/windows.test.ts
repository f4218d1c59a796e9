import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WindowOptionError } from './errors.js';
import { fixedWindows, mergeOverlappingWindows, sessions, slidingWindows, type Window, windowsIntersect } from './windows.js';

const w = (start: number, end: number): Window => ({ start, end });

describe('fixedWindows', () => {
  it('assigns the one window [k*size, (k+1)*size) that holds the timestamp', () => {
    const fn = fixedWindows(10);
    assert.deepEqual(fn.assignWindows(0), [w(0, 10)]);
    assert.deepEqual(fn.assignWindows(9), [w(0, 10)]);
    assert.deepEqual(fn.assignWindows(10), [w(10, 20)]);
    assert.equal(fn.isMerging, false);
  });

  it('aligns negative timestamps too', () => {
    assert.deepEqual(fixedWindows(10).assignWindows(-1), [w(-10, 0)]);
    assert.deepEqual(fixedWindows(10).assignWindows(-10), [w(-10, 0)]);
  });

  it('shifts window starts by the offset', () => {
    const fn = fixedWindows(10, 2);
    assert.deepEqual(fn.assignWindows(1), [w(-8, 2)]);
    assert.deepEqual(fn.assignWindows(2), [w(2, 12)]);
    assert.deepEqual(fn.assignWindows(11), [w(2, 12)]);
    assert.deepEqual(fn.assignWindows(12), [w(12, 22)]);
    assert.equal(fn.description, 'fixed(10,2)');
  });

  it('refuses a non-positive size and an offset outside [0, size)', () => {
    assert.throws(() => fixedWindows(0), WindowOptionError);
    assert.throws(() => fixedWindows(1.5), WindowOptionError);
    assert.throws(() => fixedWindows(10, 10), /offset must be an integer in \[0, 10\)/);
    assert.throws(() => fixedWindows(10, -1), WindowOptionError);
  });

  it('is an immutable value object', () => {
    const fn = fixedWindows(10);
    assert.ok(Object.isFrozen(fn));
    assert.deepEqual(fn.mergeWindows([w(0, 10), w(5, 15)]), []);
  });
});

describe('slidingWindows', () => {
  it('puts an element in size/period windows, in ascending order of start', () => {
    assert.deepEqual(slidingWindows(3000, 1000).assignWindows(1500), [w(-1000, 2000), w(0, 3000), w(1000, 4000)]);
    assert.deepEqual(slidingWindows(3000, 1000).assignWindows(1000), [w(-1000, 2000), w(0, 3000), w(1000, 4000)]);
    assert.deepEqual(slidingWindows(3000, 1000).assignWindows(999), [w(-2000, 1000), w(-1000, 2000), w(0, 3000)]);
  });

  it('handles a size that is not a multiple of the period', () => {
    assert.deepEqual(slidingWindows(10, 4).assignWindows(9), [w(0, 10), w(4, 14), w(8, 18)]);
    assert.deepEqual(slidingWindows(10, 4).assignWindows(10), [w(4, 14), w(8, 18)]);
  });

  it('shifts starts by the offset', () => {
    assert.deepEqual(slidingWindows(10, 5, 2).assignWindows(3), [w(-3, 7), w(2, 12)]);
  });

  it('equals fixed windows when period = size', () => {
    for (const ts of [-7, 0, 5, 123]) assert.deepEqual(slidingWindows(10, 10).assignWindows(ts), fixedWindows(10).assignWindows(ts));
  });

  it('refuses a period larger than the size (elements would fall in no window)', () => {
    assert.throws(() => slidingWindows(10, 20), /larger than its size/);
    assert.throws(() => slidingWindows(10, 0), WindowOptionError);
    assert.throws(() => slidingWindows(10, 5, 5), WindowOptionError);
  });
});

describe('sessions', () => {
  it('gives each element the proto-window [ts, ts + gap) and is merging', () => {
    const fn = sessions(10);
    assert.deepEqual(fn.assignWindows(7), [w(7, 17)]);
    assert.equal(fn.isMerging, true);
    assert.throws(() => sessions(0), WindowOptionError);
  });

  it('merges windows that overlap, into their span', () => {
    const a = w(1, 11);
    const b = w(5, 15);
    const c = w(14, 24);
    const d = w(40, 50);
    const merges = sessions(10).mergeWindows([d, c, a, b]);
    assert.equal(merges.length, 1);
    assert.deepEqual(merges[0]?.result, w(1, 24));
    assert.deepEqual(merges[0]?.windows, [a, b, c]);
    assert.equal(merges[0]?.windows[0], a, 'inputs are returned by identity');
  });

  it('does NOT merge windows that only touch: [0,10) and [10,20) stay apart (Beam, unlike Flink)', () => {
    // Beam IntervalWindow.intersects = start < other.end && other.start < end; Flink's TimeWindow
    // uses <= / >= and would merge these two into [0,20).
    assert.equal(windowsIntersect(w(0, 10), w(10, 20)), false);
    assert.deepEqual(sessions(10).mergeWindows([w(0, 10), w(10, 20)]), []);
    assert.equal(windowsIntersect(w(0, 10), w(9, 19)), true);
    assert.deepEqual(sessions(10).mergeWindows([w(0, 10), w(9, 19)])[0]?.result, w(0, 19));
  });

  it('merges through a chain and a covering window', () => {
    const merges = mergeOverlappingWindows([w(0, 5), w(4, 9), w(8, 13), w(20, 30), w(21, 22), w(40, 41)]);
    assert.deepEqual(
      merges.map((m) => m.result),
      [w(0, 13), w(20, 30)],
    );
  });
});
