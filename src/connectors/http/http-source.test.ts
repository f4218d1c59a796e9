import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpSource } from './http-source.js';
import { messagesFromBody } from './push-payload.js';

describe('HTTP ingest', () => {
  it('reads the Pub/Sub push envelope', () => {
    const body = JSON.stringify({
      message: { data: Buffer.from('{"ticket_id":"T1"}').toString('base64'), attributes: { origin: 'app' }, messageId: '136969346945', publishTime: '2026-11-01T08:00:00.000Z' },
      subscription: 'projects/p/subscriptions/tickets-push',
    });
    assert.deepEqual(messagesFromBody(body, 'application/json'), [
      { payload: '{"ticket_id":"T1"}', id: '136969346945', attributes: { origin: 'app' }, publishTime: Date.parse('2026-11-01T08:00:00.000Z') },
    ]);
  });

  it('reads NDJSON, JSON arrays and single JSON values; keeps malformed lines as records', () => {
    assert.deepEqual(messagesFromBody('{"a":1}\n{bad\n\n{"a":2}\n', 'application/x-ndjson').map((m) => m.payload), ['{"a":1}', '{bad', '{"a":2}']);
    assert.deepEqual(messagesFromBody('[{"a":1},{"a":2}]', 'application/json').map((m) => m.payload), ['{"a":1}', '{"a":2}']);
    assert.deepEqual(messagesFromBody('{"a":1}', undefined).map((m) => m.payload), ['{"a":1}']);
    assert.throws(() => messagesFromBody('  ', 'application/json'), /empty body/);
  });

  it('answers a request only after its messages are acknowledged', async () => {
    const source = new HttpSource({ port: 0 });
    await source.open();
    let answered = false;
    const response = fetch(`http://127.0.0.1:${source.port}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"a":1}\n{"a":2}\n' }).then(async (r) => {
      answered = true;
      return { status: r.status, body: (await r.json()) as unknown };
    });
    let batch = await source.pull(10, 2000);
    while (batch !== null && batch.messages.length === 0) batch = await source.pull(10, 2000);
    assert.equal(batch?.messages.length, 2);
    assert.equal(answered, false, 'no answer before the commit');
    await source.ack(batch!);
    assert.deepEqual(await response, { status: 200, body: { accepted: 2 } });
    await source.close();
  });
});
