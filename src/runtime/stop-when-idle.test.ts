import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import type { Source, SourceBatch, SourceMessage } from '../core/source.js';
import { stopWhenIdle } from './stop-when-idle.js';

/**
 * A bus topic as the merge sees it: each pull "waits" its full `waitMs` on the mocked clock when
 * it has nothing, and messages appear on the schedule the test sets (pull number → messages).
 */
function scriptedTopic(schedule: ReadonlyMap<number, SourceMessage[]>): Source & { pulls: number } {
  const topic = {
    name: 'bus:test',
    bounded: false,
    pulls: 0,
    open: async () => undefined,
    async pull(_max: number, waitMs: number): Promise<SourceBatch> {
      const messages = schedule.get(topic.pulls++) ?? [];
      if (messages.length === 0) mock.timers.tick(waitMs);
      return { messages, token: null };
    },
    ack: async () => undefined,
    close: async () => undefined,
  };
  return topic;
}

describe('stopWhenIdle', () => {
  afterEach(() => mock.timers.reset());

  it('ends after idleMs of empty pulls, and a message starts the count again', async () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    const source = stopWhenIdle(scriptedTopic(new Map([[3, [{ payload: 'a' }]]])), 1000);
    const sizes: number[] = [];
    for (let batch = await source.pull(10, 250); batch !== null; batch = await source.pull(10, 250)) sizes.push(batch.messages.length);
    // Three empty pulls (750 ms), the message, then four empty pulls make 1000 ms.
    assert.deepEqual(sizes, [0, 0, 0, 1, 0, 0, 0]);
  });

  it('counts only time spent listening: a topic not pulled for a while is not idle when it is pulled again', async () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    // The message shows up on the second pull after the pause, as a redelivery fetched on demand does.
    const topic = scriptedTopic(new Map([[3, [{ payload: 'redelivered' }]]]));
    const source = stopWhenIdle(topic, 1000);
    assert.equal((await source.pull(10, 250))?.messages.length, 0);
    // Meanwhile the event-time merge waited 45 s on another topic.
    mock.timers.tick(45_000);
    assert.notEqual(await source.pull(10, 250), null, 'one empty pull after a pause is not 1000 ms of listening');
    assert.equal((await source.pull(10, 250))?.messages.length, 0);
    assert.deepEqual((await source.pull(10, 250))?.messages, [{ payload: 'redelivered' }]);
  });
});
