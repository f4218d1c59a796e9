import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import type { Source, SourceBatch, SourceMessage } from '../core/source.js';
import { LAST_LOOK_MS, stopWhenIdle } from './stop-when-idle.js';

/**
 * A bus topic as the merge sees it: each pull "waits" its full `waitMs` on the mocked clock when
 * it has nothing, and messages appear on the schedule the test sets (pull number → messages).
 */
function scriptedTopic(schedule: ReadonlyMap<number, SourceMessage[]>): Source & { pulls: number; waits: number[] } {
  const topic = {
    name: 'bus:test',
    bounded: false,
    pulls: 0,
    waits: [] as number[],
    open: async () => undefined,
    async pull(_max: number, waitMs: number): Promise<SourceBatch> {
      topic.waits.push(waitMs);
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

  it('does not count empty pulls while the source is catching up (restoring order after a dropped connection)', async () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    const topic = Object.assign(scriptedTopic(new Map()), { catchingUp: true });
    const source = stopWhenIdle(topic, 1000);
    for (let i = 0; i < 20; i++) assert.notEqual(await source.pull(10, 250), null, `empty pull ${i} while catching up`);
    topic.catchingUp = false;
    const sizes: number[] = [];
    for (let batch = await source.pull(10, 250); batch !== null; batch = await source.pull(10, 250)) sizes.push(batch.messages.length);
    assert.deepEqual(sizes, [0, 0, 0], 'then a whole idle period of its own: three empty pulls, and the fourth ends it');
  });

  it('asks the source before it ends: a server holding messages this reader was never sent is a slow topic, not a drained one', async () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    // The fetches stay empty for 2.5 idle periods while the server reports messages pending, then they arrive.
    const topic = Object.assign(scriptedTopic(new Map([[10, [{ payload: 'held up' }]]])), { asked: 0 });
    const source = stopWhenIdle(Object.assign(topic, { hasPending: async () => ++topic.asked <= 2 }), 1000);
    const sizes: number[] = [];
    for (let batch = await source.pull(10, 250); batch !== null; batch = await source.pull(10, 250)) sizes.push(batch.messages.length);
    assert.deepEqual(sizes.filter((n) => n > 0), [1], 'the held-up message was read, not left on the bus');
    assert.equal(topic.asked, 3, 'asked at the end of each idle period: pending twice, then drained');
    assert.equal(sizes.length, 14, 'ten empty pulls and the message, then one idle period (three pulls and the end)');
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

  it('never makes its caller wait longer than asked: a zero wait stays zero, and counts a millisecond of listening', async () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    const topic = scriptedTopic(new Map());
    const source = stopWhenIdle(topic, 30_000);
    for (let i = 0; i < 5; i++) assert.equal((await source.pull(10, 0))?.messages.length, 0);
    assert.deepEqual(topic.waits, [0, 0, 0, 0, 0], 'a runner with work to settle is answered at once');
    // The last stretch of the idle period is not overshot either.
    for (let batch = await source.pull(10, 10_000); batch !== null; batch = await source.pull(10, 10_000));
    assert.deepEqual(topic.waits.slice(5), [10_000, 10_000, 9_995]);
  });

  it('asked again after it ended, listens again (here the whole 1000 ms, which is no longer than LAST_LOOK_MS)', async () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    const topic = scriptedTopic(new Map([[4, [{ payload: 'late' }]]]));
    const source = stopWhenIdle(topic, 1000);
    let pulls = 0;
    while ((await source.pull(10, 500)) !== null) pulls++;
    assert.equal(pulls, 1, 'ended after 1000 ms of listening');
    // Asked again (the merge's last look round): empty answers until another 1000 ms have passed.
    assert.equal((await source.pull(10, 500))?.messages.length, 0);
    assert.equal((await source.pull(10, 400))?.messages.length, 0);
    assert.deepEqual((await source.pull(10, 500))?.messages, [{ payload: 'late' }]);
  });

  it('asked again after a long idle period ended, listens for LAST_LOOK_MS, not the whole period again', async () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    const topic = scriptedTopic(new Map());
    const source = stopWhenIdle(topic, 30_000);
    while ((await source.pull(10, 500)) !== null);
    const before = Date.now();
    while ((await source.pull(10, 500)) !== null);
    assert.equal(Date.now() - before, LAST_LOOK_MS);
  });
});
