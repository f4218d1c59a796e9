import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../../test/support/temp-dir.js';
import { decodeFrame, encodeFrame } from './log-format.js';
import { LocalBus } from './local-bus.js';

describe('local bus', () => {
  it('frames payloads with line breaks and tabs losslessly', () => {
    for (const payload of ['{"a":1}', 'multi\nline', 'tab\there', '\u0001starts with marker', '']) {
      const frame = encodeFrame('id-1', 123, { k: 'v' }, payload);
      assert.equal(frame.endsWith('\n'), true);
      assert.equal(frame.slice(0, -1).includes('\n'), false);
      assert.deepEqual(decodeFrame(frame.slice(0, -1)), { id: 'id-1', publishTime: 123, attributes: { k: 'v' }, payload });
    }
  });

  it('hands messages from a publisher to a durable consumer that resumes after a restart', async () => {
    const dir = tempDir();
    const publisher = new LocalBus({ dir });
    await publisher.open();
    await publisher.publish('t.one', Array.from({ length: 10 }, (_, i) => ({ id: `m${i}`, payload: `{"n":${i}}` })));

    const consumerBus = new LocalBus({ dir });
    const first = consumerBus.subscribe('t.one', { consumer: 'c' });
    await first.open();
    const b1 = await first.pull(4, 0);
    assert.deepEqual(b1?.messages.map((m) => m.id), ['m0', 'm1', 'm2', 'm3']);
    await first.ack(b1!);
    const b2 = await first.pull(4, 0);
    assert.equal(b2?.messages.length, 4);
    // b2 is never acked: a restart must deliver it again.
    await first.close();

    const second = consumerBus.subscribe('t.one', { consumer: 'c' });
    await second.open();
    const again = await second.pull(100, 0);
    assert.deepEqual(again?.messages.map((m) => m.id), ['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    await second.ack(again!);
    assert.deepEqual(await consumerBus.stats('t.one'), { messages: 10, consumers: { c: { pending: 0 } } });
    await second.close();
    await publisher.close();
  });

  it('ignores a message id it has already stored, also across publisher restarts', async () => {
    const dir = tempDir();
    const bus = new LocalBus({ dir });
    await bus.open();
    assert.deepEqual(await bus.publish('t', [{ id: 'a', payload: '1' }, { id: 'b', payload: '2' }, { id: 'a', payload: '1' }]), { published: 2, duplicates: 1 });
    await bus.close();
    const again = new LocalBus({ dir });
    await again.open();
    assert.deepEqual(await again.publish('t', [{ id: 'b', payload: '2' }, { id: 'c', payload: '3' }]), { published: 1, duplicates: 1 });
    assert.equal((await again.stats('t')).messages, 3);
    await again.close();
  });

  it('waits for a partial line, and delivers a torn frame as a record instead of losing it', async () => {
    const dir = tempDir();
    const bus = new LocalBus({ dir });
    await bus.open();
    await bus.publish('t', [{ id: 'a', payload: '{"ok":1}' }]);
    const log = join(dir, 'topics', 't', 'log');
    appendFileSync(log, 'b\t1\t\t{"cut":'); // a writer died here
    const source = bus.subscribe('t', { consumer: 'c' });
    await source.open();
    const first = await source.pull(10, 0);
    assert.deepEqual(first?.messages.map((m) => m.id), ['a'], 'the partial line is not delivered yet');
    await source.ack(first!);
    await bus.close();
    // The next publisher closes the torn line, so its own frame stays whole.
    const next = new LocalBus({ dir });
    await next.open();
    await next.publish('t', [{ id: 'c', payload: '{"after":1}' }]);
    const rest = await source.pull(10, 0);
    assert.equal(rest?.messages.length, 2);
    assert.equal(rest?.messages[0]?.payload, '{"cut":');
    assert.equal(rest?.messages[1]?.id, 'c');
    await source.close();
    await next.close();
  });

  it('rejects a topic name that could escape the bus folder', async () => {
    const bus = new LocalBus({ dir: tempDir() });
    await bus.open();
    await assert.rejects(() => bus.publish('../etc', [{ id: 'x', payload: 'y' }]), /not a valid topic name/);
  });
});
