import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { ManualClock } from '../time/clock.js';
import { parseRatePerSecond, TokenBucket } from './rate-limiter.js';

/** A fake clock whose sleeps advance it, recording each requested wait. */
function fakeTime(start = 1_000_000): { clock: ManualClock; sleeps: number[]; sleep: (ms: number, signal?: AbortSignal) => Promise<void> } {
  const clock = new ManualClock(start);
  const sleeps: number[] = [];
  return {
    clock,
    sleeps,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      clock.advance(ms);
    },
  };
}

describe('TokenBucket', () => {
  it('starts full: a burst up to the capacity passes without waiting', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 100, capacity: 10, clock: t.clock, sleep: t.sleep });
    for (let i = 0; i < 10; i++) await bucket.take();
    assert.deepEqual(t.sleeps, []);
    assert.equal(t.clock.now(), 1_000_000);
    await bucket.take();
    assert.deepEqual(t.sleeps, [10], 'the 11th token waits one token interval (10 ms at 100/s)');
  });

  it('holds 500/s over 60 simulated seconds, in batches of any size', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 500, capacity: 25, clock: t.clock, sleep: t.sleep });
    const start = t.clock.now();
    let taken = 0;
    const sizes = [1, 25, 7, 100, 3, 60];
    for (let i = 0; t.clock.now() - start < 60_000; i++) {
      const n = sizes[i % sizes.length] as number;
      await bucket.take(n);
      taken += n;
    }
    const elapsedS = (t.clock.now() - start) / 1000;
    // Over 60 s: 30,000 tokens plus the initial burst and at most one batch of overshoot.
    assert.ok(taken >= 30_000 && taken <= 30_000 + 25 + 100, `taken ${taken} in ${elapsedS} s`);
    assert.ok(Math.abs(taken / elapsedS - 500) < 5, `rate ${taken / elapsedS}/s`);
  });

  it('waits off a batch larger than the capacity, and the debt delays the next take', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 1000, capacity: 100, clock: t.clock, sleep: t.sleep });
    await bucket.take(600); // 100 in the bucket, 500 more take 500 ms
    assert.deepEqual(t.sleeps, [500]);
    assert.equal(bucket.available(), 0);
    await bucket.take(50);
    assert.deepEqual(t.sleeps, [500, 50]);
  });

  it('refills with time but never beyond the capacity', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 5, clock: t.clock, sleep: t.sleep });
    assert.equal(bucket.tryTake(5), true);
    assert.equal(bucket.tryTake(1), false);
    t.clock.advance(250); // 2.5 tokens
    assert.equal(bucket.available(), 2.5);
    assert.equal(bucket.delayFor(3), 50);
    t.clock.advance(60_000);
    assert.equal(bucket.available(), 5, 'a long pause allows one burst, not a minute of catch-up');
  });

  it('keeps the long-run rate exact when sleeps overshoot', async () => {
    const clock = new ManualClock(0);
    // Every timer fires 7 ms late, as busy event loops do.
    const late = async (ms: number): Promise<void> => clock.advance(ms + 7);
    const bucket = new TokenBucket({ ratePerSecond: 200, capacity: 10, clock, sleep: late });
    let taken = 0;
    while (clock.now() < 10_000) {
      await bucket.take(10);
      taken += 10;
    }
    // Time overslept counts towards the next batch, so the rate stays at 200/s,
    // where sleeping "interval + lateness" per batch would fall to 200·50/57 ≈ 175/s.
    assert.ok(Math.abs(taken / 10 - 200) <= 2, `${taken / 10}/s`);
  });

  it('rejects on abort without taking tokens', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 1, clock: t.clock, sleep: t.sleep });
    await bucket.take();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(bucket.take(1, controller.signal), /stop/);
    assert.equal(bucket.available(), 0);
  });

  it('refuses a rate that is not a positive number', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new TokenBucket({ ratePerSecond: bad }), ConfigError, String(bad));
    }
    assert.throws(() => new TokenBucket({ ratePerSecond: 10, capacity: 0 }), ConfigError);
  });
});

describe('parseRatePerSecond', () => {
  it('reads per-second, per-minute and per-hour rates with a k multiplier', () => {
    assert.equal(parseRatePerSecond('500/s'), 500);
    assert.equal(parseRatePerSecond('500'), 500);
    assert.equal(parseRatePerSecond('2k/s'), 2000);
    assert.equal(parseRatePerSecond('30000/m'), 500);
    assert.equal(parseRatePerSecond('1.2k/min'), 20);
    assert.equal(parseRatePerSecond('3600/h'), 1);
    assert.equal(parseRatePerSecond('10_000/s'), 10_000);
  });

  it('rejects anything else with a ConfigError that shows the accepted forms', () => {
    for (const bad of ['', 'fast', '0/s', '-5/s', '5/d', '5M/s', '/s']) {
      assert.throws(
        () => parseRatePerSecond(bad),
        (e: unknown) => e instanceof ConfigError && /500\/s/.test(e.message),
        bad,
      );
    }
  });
});
