import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CombineFn, collect, count, distinctCount, max, mean, min, sum } from './combiners.js';

function run<V, A, O>(fn: CombineFn<V, A, O>, values: readonly V[]): O {
  let acc = fn.create();
  for (const v of values) acc = fn.add(acc, v);
  return fn.extract(acc);
}

function runMerged<V, A, O>(fn: CombineFn<V, A, O>, left: readonly V[], right: readonly V[]): O {
  let a = fn.create();
  for (const v of left) a = fn.add(a, v);
  let b = fn.create();
  for (const v of right) b = fn.add(b, v);
  return fn.extract(fn.merge(a, b));
}

describe('combiners', () => {
  it('collect keeps order, merges by concatenation and extracts a copy', () => {
    const c = collect<string>();
    const acc = c.add(c.add(c.create(), 'a'), 'b');
    const out = c.extract(acc);
    c.add(acc, 'c');
    assert.deepEqual(out, ['a', 'b'], 'an extracted pane does not change when the window grows');
    assert.deepEqual(runMerged(c, ['a'], ['b', 'c']), ['a', 'b', 'c']);
  });

  it('count, sum, mean', () => {
    assert.equal(run(count(), ['x', 'y', 'z']), 3);
    assert.equal(runMerged(count(), ['x'], ['y', 'z']), 3);
    assert.equal(run(sum(), [1, 2, 3.5]), 6.5);
    assert.equal(run(sum(), []), 0);
    assert.equal(run(mean(), [1, 2, 3, 4]), 2.5);
    assert.equal(runMerged(mean(), [1], [2, 3]), 2);
    assert.equal(run(mean(), []), null);
  });

  it('max and min, null when empty', () => {
    assert.equal(run(max(), [3, -1, 7, 2]), 7);
    assert.equal(run(min(), [3, -1, 7, 2]), -1);
    assert.equal(run(max(), []), null);
    assert.equal(runMerged(min(), [], [4]), 4);
    assert.equal(runMerged(max(), [9], []), 9);
  });

  it('distinctCount counts distinct values and encodes its Set as JSON', () => {
    const d = distinctCount();
    assert.equal(run(d, ['a', 'b', 'a', 1, '1']), 4);
    assert.equal(runMerged(d, ['a', 'b'], ['b', 'c']), 3);
    const acc = d.add(d.add(d.create(), 'a'), 'b');
    const json = d.encode?.(acc);
    assert.deepEqual(json, ['a', 'b']);
    assert.equal(d.extract(d.decode?.(JSON.parse(JSON.stringify(json))) ?? d.create()), 2);
  });
});
