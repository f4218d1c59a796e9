import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArraySource } from '../../test/support/array-source.js';
import { mergeSources } from './merge-sources.js';

describe('mergeSources', () => {
  it('interleaves sources, labels each message with its topic, and acks each part at its origin', async () => {
    const a = new ArraySource(['a1', 'a2', 'a3', 'a4']);
    const b = new ArraySource(['b1']);
    const merged = mergeSources([a, b], ['A', 'B']);
    await merged.open();
    const seen: string[] = [];
    for (let batch = await merged.pull(2, 0); batch !== null; batch = await merged.pull(2, 0)) {
      for (const m of batch.messages) seen.push(`${m.attributes?.topic}:${m.payload}`);
      await merged.ack(batch);
    }
    assert.deepEqual(seen.sort(), ['A:a1', 'A:a2', 'A:a3', 'A:a4', 'B:b1']);
    assert.deepEqual(a.acked.at(-1), 4);
    assert.deepEqual(b.acked, [1]);
    assert.equal(merged.bounded, true);
  });

  it('never merges a part carrying a redelivery with other messages: it comes alone, on the next pull', async () => {
    const a = new ArraySource(['a1', 'a2']);
    const b = new ArraySource([{ payload: 'b1', deliveryCount: 2 }]);
    const c = new ArraySource(['c1']);
    const merged = mergeSources([a, b, c], ['A', 'B', 'C']);
    await merged.open();
    const batches: string[][] = [];
    for (let batch = await merged.pull(6, 0); batch !== null; batch = await merged.pull(6, 0)) {
      if (batch.messages.length > 0) batches.push(batch.messages.map((m) => `${m.attributes?.topic}:${m.payload}`));
      await merged.ack(batch);
    }
    assert.deepEqual(batches, [['A:a1', 'A:a2'], ['B:b1'], ['C:c1']]);
    assert.deepEqual([a.acked, b.acked, c.acked], [[2], [1], [1]]);
  });
});
