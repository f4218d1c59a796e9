import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Bus, OutgoingMessage, SubscribeOptions } from '../../src/core/bus.js';
import type { Source, SourceBatch, SourceMessage } from '../../src/core/source.js';

export interface BusContractOptions {
  /** Skip every case, printing this reason (a server that is down). */
  readonly skip?: string;
}

/** What a consumer received: the messages, and the batches to acknowledge them by. */
interface Received {
  readonly messages: SourceMessage[];
  readonly batches: SourceBatch[];
}

/**
 * Pulls until `count` messages arrived or `timeoutMs` passed. A bus delivers asynchronously, so
 * this waits for messages, never for a fixed time.
 */
async function receive(source: Source, count: number, timeoutMs = 10_000): Promise<Received> {
  const out: Received = { messages: [], batches: [] };
  const deadline = Date.now() + timeoutMs;
  while (out.messages.length < count && Date.now() < deadline) {
    const batch = await source.pull(count - out.messages.length, Math.min(250, Math.max(1, deadline - Date.now())));
    assert.ok(batch !== null, `${source.name} ended while ${count - out.messages.length} message(s) were still expected`);
    if (batch.messages.length === 0) continue;
    out.messages.push(...batch.messages);
    out.batches.push(batch);
  }
  return out;
}

/** Asserts nothing more arrives within `ms` (a bounded negative check). */
async function assertNothingMore(source: Source, ms = 300): Promise<void> {
  const batch = await source.pull(100, ms);
  assert.deepEqual(batch?.messages.map((m) => m.id) ?? [], [], 'no further message is delivered');
}

async function ackAll(source: Source, received: Received): Promise<void> {
  for (const batch of received.batches) await source.ack(batch);
}

const ids = (messages: readonly SourceMessage[]): string[] => messages.map((m) => m.id ?? '?');
const msgs = (prefix: string, n: number, from = 0): OutgoingMessage[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i + from}`, payload: JSON.stringify({ n: i + from, text: 'ünïcode\nline\ttab' }) }));

/**
 * The behaviour every bus must share (hono's common.case.test habit): run it against each backend
 * with a factory that returns an opened bus. Topics are fresh per case, so a bus on a shared
 * server needs no cleanup between cases.
 *
 * @example
 * runBusContract('local', async () => { const bus = new LocalBus({ dir: tempDir() }); await bus.open(); return bus; });
 */
export function runBusContract(name: string, create: () => Promise<Bus>, options: BusContractOptions = {}): void {
  const topic = (label: string): string => `contract.${randomBytes(4).toString('hex')}.${label}`;

  const withBus = async (work: (bus: Bus, open: (t: string, o: SubscribeOptions) => Promise<Source>) => Promise<void>): Promise<void> => {
    const bus = await create();
    const sources: Source[] = [];
    const open = async (t: string, o: SubscribeOptions): Promise<Source> => {
      const source = bus.subscribe(t, o);
      await source.open();
      sources.push(source);
      return source;
    };
    try {
      await work(bus, open);
    } finally {
      for (const s of sources) await s.close();
      await bus.close();
    }
  };

  describe(`bus contract: ${name}`, { ...(options.skip !== undefined ? { skip: options.skip } : {}) }, () => {
    it('delivers published messages to a subscriber with their id, payload, attributes and publish time', async () => {
      await withBus(async (bus, open) => {
        const t = topic('roundtrip');
        const before = Date.now();
        const sent = msgs('m', 3).map((m, i) => ({ ...m, attributes: { kind: `k${i}`, step: 'parse' } }));
        assert.deepEqual(await bus.publish(t, sent), { published: 3, duplicates: 0 });
        const source = await open(t, { consumer: 'reader' });
        const got = await receive(source, 3);
        assert.deepEqual(ids(got.messages), ['m0', 'm1', 'm2']);
        assert.deepEqual(got.messages.map((m) => m.payload), sent.map((m) => m.payload));
        got.messages.forEach((m, i) => {
          assert.equal(m.attributes?.kind, `k${i}`);
          assert.equal(m.attributes?.step, 'parse');
          assert.ok(typeof m.publishTime === 'number' && m.publishTime >= before - 1000 && m.publishTime <= Date.now() + 1000, 'publish time is when it was published');
        });
        await ackAll(source, got);
        await assertNothingMore(source);
      });
    });

    it('stores a message id once: duplicates within a batch and across batches are counted, not delivered', async () => {
      await withBus(async (bus, open) => {
        const t = topic('dedup');
        const [a, b, c] = msgs('d', 3);
        assert.deepEqual(await bus.publish(t, [a!, b!, a!]), { published: 2, duplicates: 1 });
        assert.deepEqual(await bus.publish(t, [b!, c!]), { published: 1, duplicates: 1 });
        const source = await open(t, { consumer: 'reader' });
        const got = await receive(source, 3);
        assert.deepEqual(ids(got.messages).sort(), ['d0', 'd1', 'd2']);
        await ackAll(source, got);
        await assertNothingMore(source);
      });
    });

    it('keeps a durable consumer position across re-subscribing', async () => {
      await withBus(async (bus, open) => {
        const t = topic('durable');
        await bus.publish(t, msgs('p', 5));
        const first = await open(t, { consumer: 'worker' });
        const head = await receive(first, 2);
        assert.deepEqual(ids(head.messages), ['p0', 'p1']);
        await ackAll(first, head);
        await first.close();
        const second = await open(t, { consumer: 'worker' });
        const rest = await receive(second, 3);
        assert.deepEqual(ids(rest.messages).sort(), ['p2', 'p3', 'p4'], 'acknowledged messages are not delivered again');
        await ackAll(second, rest);
        await assertNothingMore(second);
      });
    });

    it('delivers unacknowledged messages again after the consumer restarts', async () => {
      await withBus(async (bus, open) => {
        const t = topic('redeliver');
        await bus.publish(t, msgs('r', 4));
        const first = await open(t, { consumer: 'worker' });
        const got = await receive(first, 4);
        assert.equal(got.messages.length, 4);
        await first.close(); // crashed before the sinks committed: nothing acknowledged
        const second = await open(t, { consumer: 'worker' });
        const again = await receive(second, 4);
        assert.deepEqual(ids(again.messages).sort(), ['r0', 'r1', 'r2', 'r3']);
        await ackAll(second, again);
        await assertNothingMore(second);
      });
    });

    it('gives each consumer name its own position: two consumers both see everything', async () => {
      await withBus(async (bus, open) => {
        const t = topic('fanout');
        await bus.publish(t, msgs('f', 3));
        const scoring = await open(t, { consumer: 'scoring' });
        const archive = await open(t, { consumer: 'archive' });
        const a = await receive(scoring, 3);
        await ackAll(scoring, a);
        const b = await receive(archive, 3);
        assert.deepEqual(ids(a.messages), ['f0', 'f1', 'f2']);
        assert.deepEqual(ids(b.messages), ['f0', 'f1', 'f2']);
        await ackAll(archive, b);
        if (bus.stats !== undefined) {
          const stats = await bus.stats(t);
          assert.equal(stats.messages, 3);
          assert.deepEqual(stats.consumers, { scoring: { pending: 0 }, archive: { pending: 0 } });
        }
      });
    });

    it("starts a new consumer at new messages only when asked to (startAt: 'new')", async () => {
      await withBus(async (bus, open) => {
        const t = topic('startnew');
        await bus.publish(t, msgs('old', 2));
        const source = await open(t, { consumer: 'late', startAt: 'new' });
        await bus.publish(t, msgs('new', 2));
        const got = await receive(source, 2);
        assert.deepEqual(ids(got.messages), ['new0', 'new1']);
        await ackAll(source, got);
        await assertNothingMore(source);
      });
    });

    it('answers a pull on an idle topic with an empty batch in time, and with null once stopped', async () => {
      await withBus(async (_bus, open) => {
        const source = await open(topic('idle'), { consumer: 'reader' });
        const started = Date.now();
        const batch = await source.pull(10, 100);
        assert.deepEqual(batch?.messages, []);
        assert.ok(Date.now() - started < 2000, 'the wait is bounded by waitMs');
        if (batch !== null) await source.ack(batch);
        const stop = new AbortController();
        stop.abort();
        assert.equal(await source.pull(10, 1000, stop.signal), null);
      });
    });
  });
}
