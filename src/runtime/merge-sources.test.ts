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
});
