import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventQueue } from './event-queue.js';
import { Random } from './random.js';

describe('EventQueue', () => {
  it('pops in time order, ties in insertion order', () => {
    const rng = new Random('queue');
    const queue = new EventQueue<number>();
    const pushed: Array<[number, number]> = [];
    for (let i = 0; i < 5_000; i++) {
      const t = rng.int(0, 500); // many ties
      queue.push(t, i);
      pushed.push([t, i]);
    }
    pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const popped: number[] = [];
    while (queue.size > 0) popped.push(queue.pop() as number);
    assert.deepEqual(
      popped,
      pushed.map(([, i]) => i),
    );
    assert.equal(queue.pop(), undefined);
    assert.equal(queue.peekTime(), Number.POSITIVE_INFINITY);
  });

  it('popDue releases only what is due, interleaved with pushes', () => {
    const queue = new EventQueue<string>();
    queue.push(30, 'c');
    queue.push(10, 'a');
    queue.push(20, 'b');
    assert.equal(queue.popDue(5), undefined);
    assert.equal(queue.popDue(10), 'a');
    queue.push(15, 'a2');
    assert.equal(queue.popDue(25), 'a2');
    assert.equal(queue.popDue(25), 'b');
    assert.equal(queue.popDue(25), undefined);
    assert.equal(queue.peekTime(), 30);
    assert.equal(queue.size, 1);
  });
});
