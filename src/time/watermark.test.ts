import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.js';
import { fixedWindows } from './windows.js';
import { BoundedOutOfOrdernessWatermark } from './watermark.js';
import { WindowOperator } from './window-operator.js';
import { count } from './combiners.js';

describe('ManualClock', () => {
  it('moves only forward, only when told', () => {
    const clock = new ManualClock(100);
    clock.advance(50);
    assert.equal(clock.now(), 150);
    clock.set(150);
    assert.throws(() => clock.set(149), RangeError);
  });
});

describe('BoundedOutOfOrdernessWatermark', () => {
  it('is the max event time seen minus the bound, and never goes back', () => {
    const wm = new BoundedOutOfOrdernessWatermark(5_000, { clock: new ManualClock() });
    assert.equal(wm.current(), Number.NEGATIVE_INFINITY);
    wm.observe('p0', 10_000);
    assert.equal(wm.current(), 5_000);
    wm.observe('p0', 8_000); // out of order, within the bound: no change
    assert.equal(wm.current(), 5_000);
    wm.observe('p0', 20_000);
    assert.equal(wm.current(), 15_000);
  });

  it('takes the minimum across partitions', () => {
    const wm = new BoundedOutOfOrdernessWatermark(1_000, { clock: new ManualClock() });
    wm.observe('a', 50_000);
    wm.observe('b', 20_000);
    wm.observe('c', 30_000);
    assert.equal(wm.current(), 19_000);
    wm.observe('b', 60_000);
    assert.equal(wm.current(), 29_000);
    assert.deepEqual(
      wm.partitions().map((p) => [p.partition, p.watermark, p.idle]),
      [
        ['a', 49_000, false],
        ['b', 59_000, false],
        ['c', 29_000, false],
      ],
    );
  });

  it('leaves idle partitions out of the minimum, so a quiet partition does not stall the rest', () => {
    const clock = new ManualClock(0);
    const wm = new BoundedOutOfOrdernessWatermark(5_000, { idleTimeout: 60_000, clock });
    wm.observe('busy', 100_000);
    wm.observe('quiet', 40_000);
    assert.equal(wm.current(), 35_000);
    clock.advance(59_999);
    wm.observe('busy', 150_000);
    assert.equal(wm.current(), 35_000, 'quiet is not idle yet');
    clock.advance(1);
    assert.equal(wm.current(), 145_000, 'quiet has been silent for idleTimeout: excluded');
    assert.equal(wm.partitions().find((p) => p.partition === 'quiet')?.idle, true);
    // It wakes up with old data: it counts again but the watermark does not go back.
    wm.observe('quiet', 41_000);
    assert.equal(wm.current(), 145_000);
    wm.observe('quiet', 200_000);
    wm.observe('busy', 300_000);
    assert.equal(wm.current(), 195_000);
  });

  it('holds when every partition is idle, and waits for registered partitions until they idle', () => {
    const clock = new ManualClock(0);
    const wm = new BoundedOutOfOrdernessWatermark(0, { idleTimeout: 10_000, clock });
    wm.register('late-starter');
    wm.observe('p0', 5_000);
    assert.equal(wm.current(), Number.NEGATIVE_INFINITY, 'a registered partition with no data holds the watermark');
    clock.advance(10_000);
    wm.observe('p0', 6_000);
    assert.equal(wm.current(), 6_000);
    clock.advance(10_000);
    assert.equal(wm.current(), 6_000, 'all idle: hold');
    wm.remove('late-starter');
    wm.observe('p0', 7_000);
    assert.equal(wm.current(), 7_000);
  });

  it('refuses a negative bound and a non-positive idle timeout', () => {
    assert.throws(() => new BoundedOutOfOrdernessWatermark(-1));
    assert.throws(() => new BoundedOutOfOrdernessWatermark(0, { idleTimeout: 0 }));
  });

  it('drives a window operator: ON_TIME once max − bound passes the window end', () => {
    const clock = new ManualClock(0);
    const wm = new BoundedOutOfOrdernessWatermark(2_000, { clock });
    const op = new WindowOperator({ windowFn: fixedWindows(10_000), combine: count() });
    const feed = (partition: string, ts: number) => {
      wm.observe(partition, ts);
      op.processElement('k', ts, null);
      return op.advanceWatermark(wm.current()).panes;
    };
    assert.deepEqual(feed('p0', 1_000), []);
    assert.deepEqual(feed('p1', 9_000), []);
    assert.deepEqual(feed('p0', 12_000), [], 'p1 holds the watermark at 7000');
    const panes = feed('p1', 12_000);
    assert.deepEqual(
      panes.map((p) => [p.window.start, p.timing, p.value]),
      [[0, 'ON_TIME', 2]],
    );
  });
});
