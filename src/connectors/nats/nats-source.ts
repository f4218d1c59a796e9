import type { Consumer, ConsumerConfig, ConsumerInfo, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, QueuedIterator, Status } from '@nats-io/transport-node';
import type { SubscribeOptions } from '../../core/bus.js';
import { ConnectorUnavailableError, describeError, SluiceError } from '../../core/errors.js';
import type { Source, SourceBatch, SourceMessage } from '../../core/source.js';
import { durableName, nanos } from './nats-names.js';

/** The attribute carrying how many times JetStream has delivered the message (1 on first delivery). */
export const DELIVERY_COUNT_ATTRIBUTE = 'nats-delivery-count';

/** What a source needs from its bus: the connection and the stream behind the topic. */
export interface NatsSession {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly location: string;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly prefetch: number;
  readonly timeoutMs: number;
  ensureStream(topic: string): Promise<{ stream: string; subject: string }>;
  forget(source: NatsSource): void;
}

/**
 * How long one pull request stays open on the server: nats.js's minimum. Short, because close()
 * waits for the open request to lapse — a request cannot be withdrawn, and a message the server
 * sends to a request whose inbox is gone sits unacknowledged for the whole ack wait.
 */
const FETCH_EXPIRES_MS = 1000;

/** How long `pull()` waits for a streaming fetch to fill a batch: short, it only saves tiny batches. */
const FILL_WAIT_MS = 20;

/**
 * A durable pull consumer of one topic's stream, shared by every worker that subscribes with the
 * same consumer name: JetStream hands each message to one of them, and redelivers it if it is not
 * acknowledged within `ackWaitMs`.
 *
 * A background loop keeps up to `prefetch` messages buffered with pull requests (`fetch`), so
 * `pull()` answers from memory; when the connection drops, the loop's request fails and it asks
 * again with backoff until nats.js has reconnected. Messages held by this worker — buffered or
 * being processed — are kept from redelivery with `working()` every third of the ack wait; a
 * crashed worker's messages go to the others once the ack wait lapses. `close()` lets the open
 * pull request run out (at most a second), then gives back everything it holds but did not finish
 * with a nak, so a restart or another worker gets those at once.
 *
 * Redeliveries (delivery count above 1) are kept apart, because one of them may be a message that
 * crashes its worker: everything a worker holds unacknowledged when it dies comes back with its
 * count raised, so an innocent message held next to a poison one on every crash would pass
 * `maxDeliveries` with it and be dead-lettered too. So the source avoids fetching redeliveries in
 * bulk: it starts "careful" when the consumer has messages out unacknowledged (after a crash, the
 * dead worker's come back) and turns careful whenever a fetch brings a redelivery; careful, it
 * fetches one message at a time, and only when a `pull()` found nothing to hand out (the runner
 * pulls again only once it has committed and acknowledged what it had), until a fetch brings a
 * first delivery. Redeliveries are handed out one per batch, after the first deliveries already
 * buffered, so the runner processes and acknowledges each alone (runner.ts, `processApart`) while
 * the worker holds nothing else but the redeliveries a bulk fetch brought (see `nextRedelivery`).
 * The first deliveries' path (bulk fetches, full batches) is unchanged.
 *
 * An `inOrder` source also keeps stream order through a lost connection. Messages the server had
 * sent into a pull request when the connection dropped never arrive, yet count as delivered: they
 * would come back only after the ack wait, behind newer ones, and a status update would be
 * processed before its ticket. A drop shows as a disconnect, a failed fetch, or a gap in the
 * consumer's delivery sequence (each delivery takes the next number, and this is the consumer's
 * only reader); what arrives after a gap is not handed out. Then the source fetches nothing until
 * everything it handed out is acknowledged; if the consumer still has messages out, those are the
 * lost ones (or the dropped ones after them), and the consumer is started again at the first
 * unacknowledged message, as on open.
 */
export class NatsSource implements Source {
  readonly name: string;
  readonly bounded = false;
  private readonly session: NatsSession;
  /** Batches whose acknowledgement was sent but not confirmed: a retry must not rely on `ackAck`. */
  private readonly unconfirmed = new WeakSet<SourceBatch>();
  private readonly topic: string;
  private readonly options: SubscribeOptions;
  private consumer: Consumer | null = null;
  private stream = '';
  /** First deliveries received, not yet handed to `pull()`. */
  private buffer: JsMsg[] = [];
  /** Redeliveries received, not yet handed to `pull()`: one per batch, after the buffer (see above). */
  private redelivered: JsMsg[] = [];
  /** Fetch one message at a time, and only on demand: redeliveries may be coming (see above). */
  private careful = false;
  /** A `pull()` found nothing to hand out: what a careful source waits for before it fetches. */
  private wanted = false;
  /** Handed out by `pull()`, not yet acked or naked. */
  private readonly outstanding = new Set<JsMsg>();
  private fetching: ConsumerMessages | null = null;
  private pumping: Promise<void> | null = null;
  private closed = false;
  private readonly stop = new AbortController();
  private wakeReader: (() => void) | null = null;
  private wakePump: (() => void) | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private lastError: unknown = null;
  private delivered = 0;
  private subject = '';
  private durable = '';
  /** inOrder: the connection dropped; fetch nothing until the order is checked (see above). */
  private resync = false;
  /** inOrder: the consumer was restarted and its first messages have not arrived yet. */
  private restarted = false;
  /** inOrder: the consumer's delivery sequence of the last message received; null = not known yet. */
  private lastDelivery: number | null = null;
  private statusWatch: QueuedIterator<Status> | null = null;

  constructor(session: NatsSession, topic: string, options: SubscribeOptions) {
    this.session = session;
    this.topic = topic;
    this.options = Object.freeze({ ...options });
    this.name = `bus:${topic}`;
  }

  async open(): Promise<void> {
    if (this.consumer !== null) return;
    const { stream, subject } = await this.session.ensureStream(this.topic);
    this.stream = stream;
    const durable = durableName(this.options.consumer);
    this.subject = subject;
    this.durable = durable;
    await this.ensureConsumer();
    this.consumer = await this.session.js.consumers.get(stream, durable);
    if (this.options.inOrder === true) this.watchConnection();
    this.pumping = this.pump();
    const every = Math.max(250, Math.floor(this.session.ackWaitMs / 3));
    this.keepAlive = setInterval(() => this.markWorking(), every);
    this.keepAlive.unref();
  }

  /** The ack settings this source wants on its consumer. */
  private ackSettings(): Pick<ConsumerConfig, 'ack_wait' | 'max_ack_pending' | 'max_deliver'> {
    // One delivery more than maxDeliveries: the runner sees the count go past the limit and can
    // dead-letter the message; after that the server stops delivering it even if nothing does.
    const maxDeliver = this.options.maxDeliveries === undefined ? -1 : this.options.maxDeliveries + 1;
    return { ack_wait: nanos(this.session.ackWaitMs), max_ack_pending: this.session.maxAckPending, max_deliver: maxDeliver };
  }

  private async createConsumer(start: Pick<ConsumerConfig, 'deliver_policy'> & Partial<Pick<ConsumerConfig, 'opt_start_seq'>>): Promise<void> {
    await this.session.jsm.consumers.add(this.stream, {
      durable_name: this.durable,
      ack_policy: 'explicit' as ConsumerConfig['ack_policy'],
      filter_subject: this.subject,
      ...start,
      ...this.ackSettings(),
    });
  }

  /**
   * Deletes the consumer and creates it again at its first unacknowledged message: it delivers
   * everything after `ackFloor` in stream order (what had been acknowledged past it comes again,
   * and the idempotent sinks ignore it), instead of handing messages out again only after the ack
   * wait, behind newer ones.
   */
  private async restartAfter(ackFloor: number): Promise<void> {
    await this.session.jsm.consumers.delete(this.stream, this.durable);
    await this.createConsumer({ deliver_policy: 'by_start_sequence' as ConsumerConfig['deliver_policy'], opt_start_seq: ackFloor + 1 });
  }

  /** Creates the durable consumer, or brings an existing one's ack settings in line. */
  private async ensureConsumer(): Promise<void> {
    const { jsm } = this.session;
    const { stream, subject, durable } = this;
    const wanted = this.ackSettings();
    try {
      const info = await jsm.consumers.info(stream, durable);
      if (info.config.filter_subject !== undefined && info.config.filter_subject !== subject) {
        throw new SluiceError(
          'CONSUMER_MISMATCH',
          `consumer "${durable}" on stream ${stream} at ${this.session.location} filters "${info.config.filter_subject}", not "${subject}". Use another --consumer name or delete it (nats consumer rm ${stream} ${durable}).`,
        );
      }
      const c = info.config;
      if (this.options.inOrder === true && info.num_waiting > 0 && (await this.anotherReader())) {
        throw new SluiceError(
          'CONSUMER_IN_USE',
          `consumer "${durable}" on stream ${stream} at ${this.session.location} is being read by another process, and this run reads it in stream order, which needs a single reader ` +
            `(its results depend on the order: rolling features). Stop the other run, give this one another --consumer, or split the work with --workers N.`,
        );
      }
      if (this.options.inOrder === true && info.num_ack_pending > 0) {
        // The reader before this one died holding messages.
        await this.restartAfter(info.ack_floor.stream_seq);
        return;
      }
      if (c.ack_wait !== wanted.ack_wait || c.max_ack_pending !== wanted.max_ack_pending || (c.max_deliver ?? -1) !== wanted.max_deliver) {
        await jsm.consumers.update(stream, durable, wanted);
      }
      // Held by other workers, or by one that died and whose messages are about to come back.
      this.careful = info.num_ack_pending > 0;
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.createConsumer({ deliver_policy: (this.options.startAt === 'new' ? 'new' : 'all') as ConsumerConfig['deliver_policy'] });
  }

  /**
   * Whether another reader is pulling on the consumer: pull requests still waiting once any of a
   * dead reader's would have expired. (Deleting the consumer under a live reader would make the two
   * fight over it.)
   */
  private async anotherReader(): Promise<boolean> {
    await abortableDelay(FETCH_EXPIRES_MS + 500, this.stop.signal);
    return (await this.consumerInfo()).num_waiting > 0;
  }

  /** inOrder: a dropped connection may have lost messages in flight (see the class comment). */
  private watchConnection(): void {
    const watch = this.session.nc.status() as QueuedIterator<Status>;
    this.statusWatch = watch;
    void (async () => {
      for await (const s of watch) {
        if (s.type === 'disconnect' || s.type === 'reconnect') this.resync = true;
      }
    })().catch(() => undefined);
  }

  /**
   * inOrder, after a dropped connection: waits until nothing is held, then restarts the consumer
   * at its first unacknowledged message if any are out. Throws while the server is unreachable.
   */
  private async restoreOrder(): Promise<void> {
    while (!this.closed && (this.outstanding.size > 0 || this.buffer.length > 0 || this.redelivered.length > 0)) {
      await new Promise<void>((resolve) => {
        this.wakePump = resolve;
      });
    }
    if (this.closed) return;
    // Cleared first: a disconnect while this runs sets it again, and the check is repeated.
    this.resync = false;
    try {
      const info = await this.consumerInfo();
      if (info.num_ack_pending === 0) return;
      // Another reader's pull requests (this one has none open now): not ours to restart.
      if (info.num_waiting > 0 && (await this.anotherReader())) return;
      await this.restartAfter(info.ack_floor.stream_seq);
      this.consumer = await this.session.js.consumers.get(this.stream, this.durable);
      this.careful = false;
      this.lastDelivery = null;
      this.restarted = true;
    } catch (error) {
      this.resync = true;
      throw error;
    }
  }

  /** Keeps the buffer topped up. Runs until close(); connection trouble only delays it. */
  private async pump(): Promise<void> {
    let backoffMs = 0;
    while (!this.closed) {
      if (this.resync) {
        try {
          await this.restoreOrder();
          backoffMs = 0;
        } catch (error) {
          this.lastError = error;
          backoffMs = Math.min(backoffMs === 0 ? 100 : backoffMs * 2, 2000);
          await abortableDelay(backoffMs, this.stop.signal);
        }
        continue;
      }
      // Careful: nothing held that was not handed out, and a pull is asking. (!careful implies
      // nothing in `redelivered`: a fetch that brings a redelivery makes the source careful.)
      const room = this.careful
        ? this.wanted && this.buffer.length === 0 && this.redelivered.length === 0
          ? 1
          : 0
        : this.session.prefetch - this.buffer.length;
      if (room <= 0) {
        await new Promise<void>((resolve) => {
          this.wakePump = resolve;
        });
        continue;
      }
      this.wanted = false;
      let firsts = 0;
      let redeliveries = 0;
      try {
        const messages = await (this.consumer as Consumer).fetch({ max_messages: room, expires: FETCH_EXPIRES_MS });
        this.fetching = messages;
        for await (const m of messages) {
          if (this.options.inOrder === true) {
            const delivery = m.info.deliverySequence;
            // After a gap, nothing more of this fetch: it comes again when the consumer restarts.
            if (this.resync && this.lastDelivery === null) continue;
            if (this.lastDelivery !== null && delivery !== this.lastDelivery + 1) {
              this.resync = true;
              this.lastDelivery = null;
              continue;
            }
            this.lastDelivery = delivery;
          }
          if (m.info.deliveryCount > 1) {
            this.redelivered.push(m);
            redeliveries++;
          } else {
            this.buffer.push(m);
            firsts++;
          }
          this.wakeReader?.();
        }
        backoffMs = 0;
        this.lastError = null;
        // A restarted consumer's fetch came back: whatever was due has arrived (or nothing was).
        this.restarted = false;
      } catch (error) {
        if (this.closed) break;
        this.lastError = error;
        if (this.options.inOrder === true) this.resync = true;
        backoffMs = Math.min(backoffMs === 0 ? 100 : backoffMs * 2, 2000);
        await abortableDelay(backoffMs, this.stop.signal);
      } finally {
        this.fetching = null;
        this.wakeReader?.();
        if (redeliveries > 0) this.careful = true;
        else if (firsts > 0) this.careful = false;
      }
    }
  }

  async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
    if (this.consumer === null) throw new SluiceError('SOURCE_NOT_OPEN', `source ${this.name} is not open: call open() first`);
    if (this.buffer.length === 0 && this.redelivered.length === 0) {
      this.wanted = true;
      this.wakePumpNow();
      if (waitMs > 0 && !this.closed && signal?.aborted !== true) await this.waitForMessages(waitMs, signal);
    }
    if (this.closed || signal?.aborted === true) return null;
    if (this.buffer.length > 0 && this.buffer.length < max && this.fetching !== null && waitMs > 0) {
      // A fetch is still streaming messages in: wait briefly for a full batch rather than hand out
      // a handful. Small batches cost a pass through every step, a tap tick and a confirmed ack each.
      await this.waitForMessages(Math.min(waitMs, FILL_WAIT_MS), signal, () => this.buffer.length >= max || this.fetching === null);
      if (this.stopping(signal)) return null;
    }
    let taken: JsMsg[];
    if (this.buffer.length > 0) {
      taken = this.buffer.length <= max ? this.buffer : this.buffer.slice(0, max);
      this.buffer = taken === this.buffer ? [] : this.buffer.slice(max);
    } else if (this.redelivered.length > 0 && max > 0) {
      taken = [this.nextRedelivery()];
    } else {
      taken = [];
    }
    this.wakePumpNow();
    const messages: SourceMessage[] = new Array(taken.length);
    for (let i = 0; i < taken.length; i++) {
      const m = taken[i] as JsMsg;
      this.outstanding.add(m);
      messages[i] = toSourceMessage(m, this.stream);
    }
    this.delivered += taken.length;
    return { messages, token: taken };
  }

  /**
   * Takes the redelivery to hand out next: fewest deliveries first (the likeliest innocent);
   * among equal counts by stream position, ascending for an even count and descending for an odd
   * one. The messages after a crashing one in one order are before it in the other, so the ones a
   * crash left unfinished next to it are processed ahead of it on their next delivery.
   */
  private nextRedelivery(): JsMsg {
    const queue = this.redelivered;
    let best = 0;
    for (let i = 1; i < queue.length; i++) {
      const a = queue[i] as JsMsg;
      const b = queue[best] as JsMsg;
      const ca = a.info.deliveryCount;
      const cb = b.info.deliveryCount;
      if (ca < cb || (ca === cb && (ca % 2 === 0 ? a.seq < b.seq : a.seq > b.seq))) best = i;
    }
    return queue.splice(best, 1)[0] as JsMsg;
  }

  /** Closed meanwhile, or the caller gave up (a method, so the check is not narrowed away across awaits). */
  private stopping(signal?: AbortSignal): boolean {
    return this.closed || signal?.aborted === true;
  }

  /**
   * Resolves when the fetch loop wakes the reader and `ready()` holds (by default: any message),
   * when `waitMs` passed, or when `signal` aborts.
   */
  private waitForMessages(waitMs: number, signal?: AbortSignal, ready: () => boolean = () => true): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wakeReader = null;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
      this.wakeReader = () => {
        if (ready()) done();
      };
    });
  }

  /** Acknowledges every message of the batch; resolves once the server has recorded them. */
  async ack(batch: SourceBatch): Promise<void> {
    const messages = batch.token as JsMsg[];
    const last = messages[messages.length - 1];
    if (last === undefined) return;
    const retry = this.unconfirmed.has(batch);
    this.unconfirmed.add(batch);
    try {
      if (!retry) {
        for (let i = 0; i < messages.length - 1; i++) (messages[i] as JsMsg).ack();
        // The server handles a consumer's acks in order, so the last one's confirmation covers all.
        if (!(await last.ackAck({ timeout: this.session.timeoutMs }))) {
          throw new Error('the server did not confirm');
        }
      } else {
        // A retry after an unconfirmed attempt (the server went away meanwhile). `ackAck` answers
        // false once a message was acked, and the server may not answer an ack of a message it
        // already recorded, so the acks are sent anew by hand (acking twice is harmless) and a
        // round trip to the server confirms they reached it. Should one still be lost, the message
        // comes back after the ack wait and the sinks ignore it: nothing is doubled.
        for (const message of messages) this.session.nc.publish(replyOf(message), ACK);
        await withTimeout(this.session.nc.flush(), this.session.timeoutMs, 'the server did not answer');
      }
    } catch (error) {
      throw new ConnectorUnavailableError(
        `acknowledging ${messages.length} message(s) of ${this.name} on NATS ${this.session.location} failed (${describeError(error)}); it is retried, and if it never goes through they are delivered again, which the sinks ignore.`,
        { cause: error },
      );
    }
    this.unconfirmed.delete(batch);
    // Done with: no longer kept alive with working(), nor given back by close().
    for (const m of messages) this.outstanding.delete(m);
    if (this.resync) this.wakePumpNow();
  }

  private wakePumpNow(): void {
    this.wakePump?.();
    this.wakePump = null;
  }

  async nak(batch: SourceBatch, delayMs: number): Promise<void> {
    const messages = batch.token as JsMsg[];
    if (messages.length === 0) return;
    for (const m of messages) {
      m.nak(delayMs);
      this.outstanding.delete(m);
    }
    if (this.resync) this.wakePumpNow();
    await this.session.nc.flush();
  }

  /** Resets the ack timer of everything this worker holds, so slow commits are not redelivered elsewhere. */
  private markWorking(): void {
    if (this.session.nc.isClosed()) return;
    for (const m of this.buffer) m.working();
    for (const m of this.redelivered) m.working();
    for (const m of this.outstanding) m.working();
  }

  progress(): { done: number; unit: string } {
    return { done: this.delivered, unit: 'messages' };
  }

  /**
   * Whether an empty pull says nothing about the topic being drained: while order is restored (see
   * the class comment) messages are due; and holding as many unacknowledged messages as the
   * consumer allows (`max_ack_pending`, a runner whose commits lag), the server sends no more
   * until some are acknowledged, whatever the stream holds.
   */
  get catchingUp(): boolean {
    return this.resync || this.restarted || this.outstanding.size + this.buffer.length + this.redelivered.length >= this.session.maxAckPending;
  }

  /** Whether the stream holds messages for this consumer that no reader has been sent yet. */
  async hasPending(): Promise<boolean> {
    if (this.stream === '' || this.closed) return false;
    return (await this.consumerInfo()).num_pending > 0;
  }

  /** The server's view of this reader's consumer (its pending, waiting and delivered counts). */
  private consumerInfo(): Promise<ConsumerInfo> {
    return this.session.jsm.consumers.info(this.stream, this.durable);
  }

  /** The last error the pull loop met, while it retries (for status displays); null when healthy. */
  get pullError(): unknown {
    return this.lastError;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    this.statusWatch?.stop();
    this.wakeReader?.();
    this.wakePump?.();
    // Everything the server sends before the open request lapses arrives before its end, so
    // waiting for the end (not closing the request early) is what lets nothing fall between.
    const fetching = this.fetching;
    if (fetching !== null) {
      if (this.session.nc.isClosed()) await fetching.close().catch(() => undefined);
      else {
        let timer: NodeJS.Timeout | undefined;
        const lapsed = await Promise.race([
          fetching.closed().then(() => true, () => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), FETCH_EXPIRES_MS + this.session.timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (!lapsed) await fetching.close().catch(() => undefined);
      }
    }
    await this.pumping?.catch(() => undefined);
    const unfinished = [...this.buffer, ...this.redelivered, ...this.outstanding];
    this.buffer = [];
    this.redelivered = [];
    this.outstanding.clear();
    if (unfinished.length > 0 && !this.session.nc.isClosed()) {
      for (const m of unfinished) m.nak();
      await this.session.nc.flush().catch(() => undefined);
    }
    this.session.forget(this);
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 10014 || code === 10059 || (error instanceof Error && /not found/i.test(error.message));
}

/** A JetStream message as the runner sees it: Sluice's id, payload, attributes, publish time. */
export function toSourceMessage(m: JsMsg, stream: string): SourceMessage {
  let id: string | undefined;
  const attributes: Record<string, string> = {};
  const headers = m.headers;
  if (headers !== undefined) {
    for (const key of headers.keys()) {
      if (key === 'Nats-Msg-Id') id = headers.get(key);
      else if (!key.startsWith('Nats-')) attributes[key] = headers.get(key);
    }
  }
  attributes[DELIVERY_COUNT_ATTRIBUTE] = String(m.info.deliveryCount);
  return {
    // A message published without an id is identified by its stream position, which redelivery keeps.
    id: id ?? `${stream}:${m.seq}`,
    payload: m.string(),
    attributes,
    publishTime: Math.floor(m.info.timestampNanos / 1e6),
    deliveryCount: m.info.deliveryCount,
  };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `promise`, or a rejection after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** JetStream's acknowledgement payload. */
const ACK = new TextEncoder().encode('+ACK');

/** The subject a JetStream message is acknowledged on. */
function replyOf(message: JsMsg): string {
  return (message as unknown as { reply: string }).reply;
}
