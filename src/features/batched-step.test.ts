import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Filtered, Rejection, type StepContext } from '../core/step.js';
import { batchedStep } from './batched-step.js';

function ctx(id: string): StepContext {
  return {
    envelope: { id, attributes: { topic: 't' }, publishTime: 0, receivedAt: 0, source: 'test' },
    now: 0,
    pipeline: 'p',
    reject: (t, m) => new Rejection(t, m),
    filter: (r) => new Filtered(r ?? 'filtered'),
    setId: () => undefined,
  };
}

describe('batchedStep', () => {
  it('hands the calls of one synchronous loop to the batch function once, in order', async () => {
    const calls: Array<Array<[number, string]>> = [];
    const step = batchedStep<number, number>(async (items) => {
      calls.push(items.map((i) => [i.value, i.envelope.id]));
      return items.map((i) => (i.value < 0 ? new Rejection('negative', 'below zero') : i.value * 10));
    });
    const first = [1, -2, 3].map((v, i) => step(v, ctx(`e${i}`)));
    const results = await Promise.all(first);
    assert.deepEqual(results.slice(0, 1), [10]);
    assert.ok(results[1] instanceof Rejection);
    assert.equal(results[2], 30);
    assert.deepEqual(await step(7, ctx('later')), 70);
    assert.deepEqual(calls, [[[1, 'e0'], [-2, 'e1'], [3, 'e2']], [[7, 'later']]]);
  });

  it('rejects every record of a batch when the batch function throws', async () => {
    const step = batchedStep<number, number>(async () => {
      throw new Error('store down');
    });
    const results = await Promise.allSettled([step(1, ctx('a')), step(2, ctx('b'))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  });
});
