import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { runBusContract } from '../../../test/contracts/bus-contract.js';
import { serviceSkipReason } from '../../../test/contracts/services.js';
import { TcpProxy } from '../../../test/support/tcp-proxy.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { ConfigError, ConnectorUnavailableError, SluiceError } from '../../core/errors.js';
import type { Source, SourceBatch } from '../../core/source.js';
import { stopWhenIdle } from '../../runtime/stop-when-idle.js';
import { NatsBus, type NatsBusOptions } from './nats-bus.js';
import { DELIVERY_COUNT_ATTRIBUTE } from './nats-source.js';

const URL_ = process.env.SLUICE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const endpoint = new URL(URL_);
const skip = await serviceSkipReason('NATS', endpoint.hostname, Number(endpoint.port || 4222));

/** Every bus in this file names its streams with this prefix; they are deleted when the file ends. */
const PREFIX = `SLUICE_TEST_${randomBytes(4).toString('hex')}_`;

async function openBus(extra: Partial<NatsBusOptions> = {}): Promise<NatsBus> {
  const bus = new NatsBus({ url: URL_, streamPrefix: PREFIX, ...extra });
  await bus.open();
  return bus;
}

after(async () => {
  if (skip !== undefined) return;
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: URL_ });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) if (name.startsWith(PREFIX)) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
});

runBusContract('nats', () => openBus(), skip !== undefined ? { skip } : {});

const topic = (label: string): string => `t${randomBytes(4).toString('hex')}.${label}`;
const payloads = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, payload: `{"i":${i}}` }));

/** The server's view of a durable consumer of `t`, asked over a connection of the test's own. */
async function consumerInfo(bus: NatsBus, t: string, durable: string): Promise<{ num_ack_pending: number }> {
  const { jsm } = (bus as unknown as { connection(): { jsm: import('@nats-io/jetstream').JetStreamManager } }).connection();
  for await (const stream of jsm.streams.names()) {
    if (!stream.startsWith(PREFIX)) continue;
    for await (const c of jsm.consumers.list(stream)) if (c.name === durable && c.config.filter_subject?.endsWith(t)) return c;
  }
  throw new Error(`no consumer ${durable} for ${t}`);
}

/** Pulls until one batch with messages arrives (or the deadline passes). */
async function nextBatch(source: Source, timeoutMs = 10_000): Promise<SourceBatch> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const batch = await source.pull(100, 250);
    if (batch !== null && batch.messages.length > 0) return batch;
  }
  throw new Error(`nothing arrived on ${source.name} within ${timeoutMs} ms`);
}

describe('NATS JetStream bus', { ...(skip !== undefined ? { skip } : {}) }, () => {
  it('shares one durable consumer among workers: each message goes to exactly one of them', async () => {
    const bus = await openBus({ prefetch: 10 });
    const t = topic('shared');
    const a = bus.subscribe(t, { consumer: 'workers' });
    const b = bus.subscribe(t, { consumer: 'workers' });
    try {
      await a.open();
      await b.open();
      await bus.publish(t, payloads('s', 200));
      const seenBy = new Map<string, string>();
      const deadline = Date.now() + 15_000;
      while (seenBy.size < 200 && Date.now() < deadline) {
        for (const [label, source] of [['a', a], ['b', b]] as const) {
          const batch = await source.pull(7, 50);
          if (batch === null) continue;
          for (const m of batch.messages) {
            assert.equal(seenBy.get(m.id as string), undefined, `${m.id} was delivered to both workers`);
            seenBy.set(m.id as string, label);
          }
          await source.ack(batch);
        }
      }
      assert.equal(seenBy.size, 200);
      const byA = [...seenBy.values()].filter((w) => w === 'a').length;
      assert.ok(byA > 0 && byA < 200, `both workers got work (a: ${byA}, b: ${200 - byA})`);
    } finally {
      await bus.close();
    }
  });

  it('redelivers a naked batch, counting deliveries, and stops one delivery after maxDeliveries', async () => {
    const bus = await openBus();
    const t = topic('poison');
    const source = bus.subscribe(t, { consumer: 'strict', maxDeliveries: 2 });
    try {
      await source.open();
      await bus.publish(t, [{ id: 'poison', payload: '{}' }]);
      const counts: string[] = [];
      for (let delivery = 1; delivery <= 3; delivery++) {
        const batch = await nextBatch(source);
        assert.deepEqual(batch.messages.map((m) => m.id), ['poison']);
        counts.push(batch.messages[0]?.attributes?.[DELIVERY_COUNT_ATTRIBUTE] ?? '?');
        await source.nak?.(batch, 0);
      }
      // Delivery 3 is past maxDeliveries (2): the runner dead-letters it; the server sends no 4th.
      assert.deepEqual(counts, ['1', '2', '3']);
      const after4 = await source.pull(10, 500);
      assert.deepEqual(after4?.messages, []);
    } finally {
      await bus.close();
    }
  });

  it('is not drained for --until-idle while it holds as many unacknowledged messages as the consumer allows, and says what the server still holds', async () => {
    const bus = await openBus({ maxAckPending: 5 });
    const t = topic('throttled');
    const source = stopWhenIdle(bus.subscribe(t, { consumer: 'slow-commits' }), 400);
    try {
      await source.open();
      await bus.publish(t, payloads('m', 8));
      const held: SourceBatch[] = [];
      let ids: string[] = [];
      while (ids.length < 5) {
        const batch = await nextBatch(source);
        held.push(batch);
        ids = ids.concat(batch.messages.map((m) => m.id as string));
      }
      // A runner whose commit lags holds them unacknowledged: the server sends nothing more meanwhile.
      const listenUntil = Date.now() + 1500;
      while (Date.now() < listenUntil) {
        const batch = await source.pull(100, 100);
        assert.notEqual(batch, null, 'declared drained with 3 messages still on the stream');
        assert.deepEqual(batch?.messages, []);
      }
      assert.equal(await source.hasPending?.(), true, 'the server reports the 3 it has not sent');
      for (const batch of held) await source.ack(batch);
      while (ids.length < 8) ids = ids.concat((await nextBatch(source)).messages.map((m) => m.id as string));
      assert.deepEqual(ids, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
      assert.equal(await source.hasPending?.(), false, 'every message sent');
    } finally {
      await bus.close();
    }
  });

  it('after a restart, holds one redelivery at a time: each comes alone, the next fetched only when a pull asks', async () => {
    const bus = await openBus();
    const t = topic('careful');
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: URL_ });
    const delivered = async (): Promise<number> => (await (await jetstreamManager(nc)).consumers.info(`${PREFIX}${t.replace('.', '_')}`, 'careful')).delivered.consumer_seq;
    try {
      const first = bus.subscribe(t, { consumer: 'careful' });
      await first.open();
      await bus.publish(t, payloads('c', 5));
      for (let got = 0; got < 5; ) got += (await nextBatch(first)).messages.length;
      await first.close(); // a worker gone with 5 messages unacknowledged: all 5 come back
      const second = bus.subscribe(t, { consumer: 'careful' });
      await second.open();
      const seen: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const batch = await nextBatch(second);
        assert.deepEqual(batch.messages.map((m) => m.deliveryCount), [2], 'one redelivery per batch');
        // Deliveries so far: the first 5, then one per batch handed out — nothing fetched ahead.
        assert.equal(await delivered(), 5 + i, `only the redelivery being processed is held (batch ${i})`);
        seen.push(batch.messages[0]?.id as string);
        await second.ack(batch);
      }
      assert.deepEqual(seen.sort(), ['c0', 'c1', 'c2', 'c3', 'c4']);
      // Redeliveries done: first deliveries are prefetched and handed out in batches again.
      await bus.publish(t, payloads('n', 20));
      let batches = 0;
      for (let got = 0; got < 20; batches++) {
        const batch = await nextBatch(second);
        got += batch.messages.length;
        await second.ack(batch);
      }
      assert.ok(batches < 20, `20 first deliveries came in ${batches} batches`);
    } finally {
      await nc.close();
      await bus.close();
    }
  });

  it('an in-order consumer whose reader died restarts at the first unacknowledged message, in stream order, without waiting for the ack wait', async () => {
    // An ack wait far longer than the test: whatever comes back early comes from the restart, not a lapse.
    const options = { ackWaitMs: 120_000, prefetch: 100 };
    const crashed = await openBus(options);
    const t = topic('ordered');
    try {
      const reader = crashed.subscribe(t, { consumer: 'ordered', inOrder: true });
      await reader.open();
      await crashed.publish(t, payloads('o', 10));
      const batch = await nextBatch(reader);
      // The reader commits and acknowledges the first three, then dies holding the rest.
      const done = { messages: batch.messages.slice(0, 3), token: (batch.token as unknown[]).slice(0, 3) };
      await reader.ack(done);
      assert.ok(batch.messages.length > 3, `the reader held more than it acknowledged (${batch.messages.length})`);
      // A crash, not a close: the connection goes without giving anything back.
      await (crashed as unknown as { connection(): { nc: { close(): Promise<void> } } }).connection().nc.close();
    } finally {
      await crashed.close().catch(() => undefined);
    }
    const restarted = await openBus(options);
    try {
      const reader = restarted.subscribe(t, { consumer: 'ordered', inOrder: true });
      await reader.open();
      const ids: string[] = [];
      while (ids.length < 7) {
        const next = await nextBatch(reader);
        ids.push(...next.messages.map((m) => m.id as string));
        await reader.ack(next);
      }
      assert.deepEqual(ids, ['o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9']);
    } finally {
      await restarted.close();
    }
  });

  // With messages after the lost ones, the gap in the delivery sequence shows the loss; with none,
  // only the disconnect does.
  for (const later of [5, 0]) {
    it(`an in-order consumer whose connection died with messages in flight gets them back first, in stream order, without waiting for the ack wait (${later} published after)`, async () => {
      const proxy = new TcpProxy(endpoint.hostname, Number(endpoint.port || 4222));
      await proxy.start();
      // An ack wait far longer than the test: messages lost in flight come back early only by the restart.
      const reader = new NatsBus({ url: `nats://127.0.0.1:${proxy.port}`, streamPrefix: PREFIX, ackWaitMs: 120_000, prefetch: 100, timeoutMs: 2000 });
      const direct = await openBus();
      const t = topic('inflight');
      try {
        await reader.open();
        const source = reader.subscribe(t, { consumer: 'flight', inOrder: true });
        await source.open();
        await direct.publish(t, payloads('a', 5));
        for (let got = 0; got < 5; ) {
          const batch = await nextBatch(source);
          got += batch.messages.length;
          await source.ack(batch);
        }
        // The server sends the next messages into the reader's pull request; none of them arrive.
        proxy.swallowDownstream();
        await direct.publish(t, payloads('b', 20));
        const deadline = Date.now() + 10_000;
        while ((await consumerInfo(direct, t, 'flight')).num_ack_pending < 20) {
          assert.ok(Date.now() < deadline, 'the server never delivered the messages into the pull request');
          await new Promise((resolve) => setTimeout(resolve, 50)); // polling the server's consumer state
        }
        proxy.cutAll();
        if (later > 0) await direct.publish(t, payloads('c', later));
        const ids: string[] = [];
        while (ids.length < 20 + later) {
          const batch = await nextBatch(source, 20_000);
          ids.push(...batch.messages.map((m) => m.id as string));
          await source.ack(batch);
        }
        assert.deepEqual(
          ids,
          [...payloads('b', 20), ...payloads('c', later)].map((p) => p.id),
        );
      } finally {
        await reader.close();
        await direct.close();
        await proxy.close();
      }
    });
  }

  it('refuses a second in-order reader of a consumer another process is reading, naming it, and leaves the first one reading', async () => {
    const first = await openBus({ prefetch: 100 });
    const second = await openBus();
    const t = topic('single');
    try {
      const reader = first.subscribe(t, { consumer: 'solo', inOrder: true });
      await reader.open();
      await first.publish(t, payloads('s', 3));
      const held = await nextBatch(reader);
      const intruder = second.subscribe(t, { consumer: 'solo', inOrder: true });
      await assert.rejects(
        intruder.open(),
        (e: unknown) => e instanceof SluiceError && e.code === 'CONSUMER_IN_USE' && /"solo".*another process/.test(e.message),
      );
      await reader.ack(held);
      await first.publish(t, payloads('s', 5).slice(3));
      const ids = held.messages.map((m) => m.id as string);
      while (ids.length < 5) {
        const batch = await nextBatch(reader);
        ids.push(...batch.messages.map((m) => m.id as string));
        await reader.ack(batch);
      }
      assert.deepEqual(ids, ['s0', 's1', 's2', 's3', 's4']);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('identifies a message published without an id by its stream position, stable across redelivery', async () => {
    const bus = await openBus();
    const t = topic('foreign');
    const source = bus.subscribe(t, { consumer: 'reader' });
    try {
      await source.open(); // creates the stream
      const { connect } = await import('@nats-io/transport-node');
      const { jetstream } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: URL_ });
      await jetstream(nc).publish(t, '{"from":"nats pub"}');
      await nc.close();
      const first = await nextBatch(source);
      await source.nak?.(first, 0);
      const second = await nextBatch(source);
      assert.equal(first.messages[0]?.id, `${PREFIX}${t.replace('.', '_')}:1`);
      assert.equal(second.messages[0]?.id, first.messages[0]?.id);
      await source.ack(second);
    } finally {
      await bus.close();
    }
  });

  it('refuses a missing stream when stream creation is off, and two topics that map to one stream', async () => {
    const bus = await openBus({ createStreams: false });
    try {
      await assert.rejects(() => bus.publish(topic('absent'), payloads('x', 1)), (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.code, 'STREAM_MISSING');
        assert.match(error.message, /nats stream add/);
        return true;
      });
    } finally {
      await bus.close();
    }
    const creating = await openBus();
    try {
      const base = topic('x');
      await creating.publish(`${base}.a_b`, payloads('y', 1));
      await assert.rejects(() => creating.publish(`${base}.a.b`, payloads('y', 1)), ConfigError);
    } finally {
      await creating.close();
    }
  });

  it('says where and what to do when no server answers', async () => {
    const bus = new NatsBus({ url: 'nats://user:hunter2@127.0.0.1:1', timeoutMs: 2000 });
    await assert.rejects(() => bus.open(), (error: unknown) => {
      assert.ok(error instanceof ConnectorUnavailableError);
      assert.match(error.message, /cannot reach NATS at nats:\/\/127\.0\.0\.1:1 .*nats-server -js/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});

/** A private nats-server this test can stop and start without disturbing anyone else's. */
class PrivateNatsServer {
  private child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  async start(): Promise<void> {
    this.child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], { stdio: 'ignore' });
    await waitForPort(this.port, 10_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits for a port to accept connections: polls, bounded by a deadline (a server starting, not a timing guess). */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const haveNatsServer = spawnSync('nats-server', ['--version']).status === 0;
const restartSkip = haveNatsServer ? undefined : 'the nats-server binary is not installed';
if (restartSkip !== undefined && process.env.CI === 'true') throw new Error(`${restartSkip}; CI=true requires it`);

describe('NATS JetStream bus across a server restart', { ...(restartSkip !== undefined ? { skip: restartSkip } : {}) }, () => {
  it('reconnects by itself: publishing works again and the pull loop resumes where the consumer was', async () => {
    const server = new PrivateNatsServer(await freePort(), tempDir('sluice-nats-'));
    await server.start();
    const events: string[] = [];
    const bus = new NatsBus({ url: `nats://127.0.0.1:${server.port}`, timeoutMs: 2000, onStatus: (e) => events.push(e.type) });
    try {
      await bus.open();
      const t = topic('restart');
      const source = bus.subscribe(t, { consumer: 'survivor' });
      await source.open();
      await bus.publish(t, payloads('before', 5));
      let before = 0;
      while (before < 5) {
        const batch = await nextBatch(source);
        before += batch.messages.length;
        await source.ack(batch);
      }

      await server.stop();
      await server.start();

      // The runner retries a failed publish; here the test does, until the client has reconnected.
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          assert.deepEqual(await bus.publish(t, payloads('after', 5)), { published: 5, duplicates: 0 });
          break;
        } catch (error) {
          if (!(error instanceof ConnectorUnavailableError) || Date.now() > deadline) throw error;
        }
      }
      const seen: string[] = [];
      while (seen.length < 5) {
        const batch = await nextBatch(source, 20_000);
        seen.push(...batch.messages.map((m) => m.id as string));
        await source.ack(batch);
      }
      assert.deepEqual(seen, ['after0', 'after1', 'after2', 'after3', 'after4']);
      assert.ok(events.includes('disconnect') && events.includes('reconnect'), `status events: ${events.join(', ')}`);
    } finally {
      await bus.close();
      await server.stop();
    }
  });

  it('an acknowledgement that failed while the server was down goes through on the retry after it returns', async () => {
    const server = new PrivateNatsServer(await freePort(), tempDir('sluice-nats-'));
    await server.start();
    const bus = new NatsBus({ url: `nats://127.0.0.1:${server.port}`, timeoutMs: 1000 });
    try {
      await bus.open();
      const t = topic('ackretry');
      const source = bus.subscribe(t, { consumer: 'acker' });
      await source.open();
      await bus.publish(t, payloads('m', 3));
      let held: SourceBatch | null = null;
      let count = 0;
      while (count < 3) {
        const batch = await nextBatch(source);
        count += batch.messages.length;
        if (held === null) held = batch;
        else await source.ack(batch);
      }
      const pending = held as SourceBatch;
      await server.stop();
      await assert.rejects(source.ack(pending), ConnectorUnavailableError, 'no server, no confirmation');
      await server.start();
      // The runner retries with backoff; here the test does, until the client has reconnected.
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await source.ack(pending);
          break;
        } catch (error) {
          if (!(error instanceof ConnectorUnavailableError) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200)); // the client reconnects on its own schedule
        }
      }
      // Acknowledged for good: the server holds nothing pending for the consumer.
      const { connect } = await import('@nats-io/transport-node');
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: `nats://127.0.0.1:${server.port}` });
      try {
        const jsm = await jetstreamManager(nc);
        let pendingAcks = -1;
        for await (const stream of jsm.streams.names()) {
          for await (const consumer of jsm.consumers.list(stream)) if (consumer.name === 'acker') pendingAcks = consumer.num_ack_pending;
        }
        assert.equal(pendingAcks, 0, 'no message waits for an acknowledgement');
      } finally {
        await nc.close();
      }
    } finally {
      await bus.close();
      await server.stop();
    }
  });
});
