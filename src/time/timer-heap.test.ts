import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimerHeap } from './timer-heap.js';

describe('TimerHeap', () => {
  it('pops items in time order', () => {
    const heap = new TimerHeap<number>();
    let seed = 7;
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      seed = (Math.imul(seed, 48271) >>> 0) % 2147483647;
      const t = seed % 1000;
      times.push(t);
      heap.push(t, t);
    }
    const out: number[] = [];
    while (heap.size > 0) {
      const t = heap.peekTime();
      const item = heap.pop();
      assert.equal(item, t);
      out.push(t);
    }
    assert.deepEqual(
      out,
      [...times].sort((a, b) => a - b),
    );
    assert.equal(heap.pop(), undefined);
    assert.equal(heap.peekTime(), Number.POSITIVE_INFINITY);
  });
});
