import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Bus, OutgoingMessage, PublishResult, SubscribeOptions } from '../../core/bus.js';
import { ConfigError, ConnectorUnavailableError, describeError, SluiceError } from '../../core/errors.js';
import type { Source } from '../../core/source.js';
import { nanos, parseNatsUrl, type NatsUrl, streamName, subjectFor } from './nats-names.js';
import { AsyncPublisher } from './nats-publisher.js';
import { type NatsSession, NatsSource } from './nats-source.js';

export interface NatsBusOptions {
  /** `nats://[user:pass@]HOST:4222`, several comma-separated for a cluster. Credentials are never shown. */
  readonly url: string;
  /** Create a topic's stream when it is missing. Default true; false makes a missing stream an error. */
  readonly createStreams?: boolean;
  /** Stream of topic `a.b` is `<streamPrefix>a_b`. Default `SLUICE_`. */
  readonly streamPrefix?: string;
  /** Subject of topic `a.b` is `<subjectPrefix>a.b`. Default '' — the topic is the subject, so `nats pub tickets.new …` feeds it. */
  readonly subjectPrefix?: string;
  /** Created streams store a message id seen within this window only once. Default 120 000 ms (JetStream's own). */
  readonly duplicateWindowMs?: number;
  /** Created streams drop messages older than this. Default: keep until deleted. */
  readonly maxAgeMs?: number;
  /** Created streams keep messages on disk (`file`, default) or in memory. */
  readonly storage?: 'file' | 'memory';
  /** Replicas of created streams, for clustered JetStream. Default 1. */
  readonly replicas?: number;
  /** A delivered message not acknowledged within this is redelivered (to any worker). Default 30 000 ms. */
  readonly ackWaitMs?: number;
  /** Unacknowledged messages a consumer may have out, across all its workers. Default 20 000. */
  readonly maxAckPending?: number;
  /** Messages each worker keeps buffered ahead of `pull()`. Default 1000. */
  readonly prefetch?: number;
  /** Publishes awaiting their acknowledgement at once. Default 4096. */
  readonly publishWindow?: number;
  /** How long a publish, an ack confirmation or an API call waits. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** The connection's name in the server's monitoring. Default `sluice`. */
  readonly name?: string;
  /** Told about connection state changes (`disconnect`, `reconnect`…), for logs. Never receives message data. */
  readonly onStatus?: (event: { readonly type: string; readonly server?: string }) => void;
}

interface Vendor {
  readonly connect: typeof import('@nats-io/transport-node').connect;
  readonly headers: typeof import('@nats-io/transport-node').headers;
  readonly createInbox: typeof import('@nats-io/transport-node').createInbox;
  readonly jetstream: typeof import('@nats-io/jetstream').jetstream;
  readonly jetstreamManager: typeof import('@nats-io/jetstream').jetstreamManager;
}

let vendor: Promise<Vendor> | null = null;

/** nats.js is loaded on first use, so the embedded default never loads it. */
function loadVendor(): Promise<Vendor> {
  vendor ??= Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]).then(([t, j]) => ({
    connect: t.connect,
    headers: t.headers,
    createInbox: t.createInbox,
    jetstream: j.jetstream,
    jetstreamManager: j.jetstreamManager,
  }));
  return vendor;
}

interface Connected {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly publisher: AsyncPublisher;
}

/**
 * NATS JetStream as Sluice's bus: one stream per topic (see nats-names.ts), durable pull consumers
 * shared by every worker using the same consumer name, explicit acknowledgement after the sinks
 * commit. Publishing sets each message's id as `Nats-Msg-Id`, so JetStream stores an id once
 * within its duplicate window; publishes are pipelined (nats-publisher.ts), their acknowledgements
 * awaited (the batch is durable when `publish` resolves), and the ones marked duplicate counted. nats.js reconnects by itself
 * after a server restart (it is told to try forever); publishes fail meanwhile and the runner
 * retries them, and pulls resume.
 *
 * @example
 * const bus = new NatsBus({ url: 'nats://127.0.0.1:4222' }); await bus.open();
 * await bus.publish('tickets.new', [{ id: 't1', payload: '{"ticket_id":"t1"}' }]);
 * const source = bus.subscribe('tickets.new', { consumer: 'municipal-tickets', maxDeliveries: 5 });
 */
export class NatsBus implements Bus {
  readonly kind = 'nats';
  readonly location: string;
  private readonly options: Readonly<NatsBusOptions>;
  private readonly url: NatsUrl;
  private connected: Connected | null = null;
  /** Topic → its stream and subject, once checked or created. */
  private readonly streams = new Map<string, Promise<{ stream: string; subject: string }>>();
  private readonly sources = new Set<NatsSource>();

  constructor(options: NatsBusOptions) {
    this.options = Object.freeze({ ...options });
    this.url = parseNatsUrl(options.url);
    this.location = this.url.location;
  }

  async open(): Promise<void> {
    if (this.connected !== null) return;
    const v = await loadVendor();
    let nc: NatsConnection;
    try {
      nc = await v.connect({
        servers: [...this.url.servers],
        name: this.options.name ?? 'sluice',
        // Keep trying through a server restart instead of giving up after the default 10 attempts.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: this.options.timeoutMs ?? 10_000,
        ...(this.url.user !== undefined ? { user: this.url.user } : {}),
        ...(this.url.pass !== undefined ? { pass: this.url.pass } : {}),
        ...(this.url.token !== undefined ? { token: this.url.token } : {}),
      });
    } catch (error) {
      throw new ConnectorUnavailableError(
        `cannot reach NATS at ${this.location} (${describeError(error)}). Start nats-server with JetStream (nats-server -js) or pass another --bus URL.`,
        { cause: error },
      );
    }
    let jsm: JetStreamManager;
    try {
      jsm = await v.jetstreamManager(nc, { timeout: this.options.timeoutMs ?? 10_000 });
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw new ConnectorUnavailableError(
        `NATS at ${this.location} answers but JetStream is not available (${describeError(error)}). Start nats-server with -js (JetStream enabled).`,
        { cause: error },
      );
    }
    const publisher = new AsyncPublisher(nc, { headers: v.headers, createInbox: v.createInbox }, {
      window: this.options.publishWindow ?? 4096,
      timeoutMs: this.options.timeoutMs ?? 10_000,
      location: this.location,
    });
    this.connected = { nc, jsm, js: jsm.jetstream(), publisher };
    this.watchStatus(nc);
  }

  private watchStatus(nc: NatsConnection): void {
    const onStatus = this.options.onStatus;
    if (onStatus === undefined) return;
    void (async () => {
      for await (const s of nc.status()) {
        const server = (s as { server?: unknown }).server;
        onStatus({ type: s.type, ...(typeof server === 'string' ? { server } : {}) });
      }
    })().catch(() => undefined);
  }

  private connection(): Connected {
    if (this.connected === null) throw new SluiceError('BUS_CLOSED', `the NATS bus ${this.location} is not open: call open() first`);
    return this.connected;
  }

  /** The topic's stream, created when missing (unless `createStreams: false`). */
  private ensureStream(topic: string): Promise<{ stream: string; subject: string }> {
    let known = this.streams.get(topic);
    if (known === undefined) {
      known = this.checkOrCreateStream(topic);
      // A failure (server down) is not remembered: the next call asks again.
      known.catch(() => this.streams.delete(topic));
      this.streams.set(topic, known);
    }
    return known;
  }

  private async checkOrCreateStream(topic: string): Promise<{ stream: string; subject: string }> {
    const { jsm } = this.connection();
    const stream = streamName(this.options.streamPrefix ?? 'SLUICE_', topic);
    const subject = subjectFor(this.options.subjectPrefix ?? '', topic);
    for (let attempt = 0; ; attempt++) {
      try {
        const info = await jsm.streams.info(stream);
        if (!(info.config.subjects ?? []).includes(subject)) {
          throw new ConfigError(
            `stream ${stream} at ${this.location} holds subjects ${JSON.stringify(info.config.subjects)}, not "${subject}": another topic maps to the same stream name ` +
              `('.' and '_' both become '_'). Rename one of the topics, or set another stream prefix.`,
          );
        }
        return { stream, subject };
      } catch (error) {
        if (!isStreamNotFound(error)) throw this.apiError(error, `checking stream ${stream}`);
      }
      if (this.options.createStreams === false) {
        throw new SluiceError(
          'STREAM_MISSING',
          `topic "${topic}" has no stream ${stream} at ${this.location} and stream creation is off. Create it (nats stream add ${stream} --subjects ${subject}) or allow createStreams.`,
        );
      }
      try {
        await jsm.streams.add(this.streamConfig(stream, subject));
        return { stream, subject };
      } catch (error) {
        // Another worker created it between our look and our add: look again, once.
        if (attempt > 0 || !/already in use|already exists/i.test(describeError(error))) throw this.apiError(error, `creating stream ${stream}`);
      }
    }
  }

  private streamConfig(stream: string, subject: string): Partial<StreamConfig> & { name: string } {
    return {
      name: stream,
      subjects: [subject],
      retention: 'limits' as StreamConfig['retention'],
      storage: (this.options.storage ?? 'file') as StreamConfig['storage'],
      num_replicas: this.options.replicas ?? 1,
      duplicate_window: nanos(this.options.duplicateWindowMs ?? 120_000),
      max_age: nanos(this.options.maxAgeMs ?? 0),
      discard: 'old' as StreamConfig['discard'],
    };
  }

  private apiError(error: unknown, doing: string): Error {
    if (error instanceof SluiceError) return error;
    return new ConnectorUnavailableError(`NATS JetStream at ${this.location} failed ${doing} (${describeError(error)}); the runner retries.`, { cause: error });
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishResult> {
    if (messages.length === 0) return { published: 0, duplicates: 0 };
    const { publisher } = this.connection();
    const { subject } = await this.ensureStream(topic);
    return publisher.publish(subject, messages);
  }

  subscribe(topic: string, options: SubscribeOptions): Source {
    const { nc, js, jsm } = this.connection();
    const session: NatsSession = {
      nc,
      js,
      jsm,
      location: this.location,
      ackWaitMs: this.options.ackWaitMs ?? 30_000,
      maxAckPending: this.options.maxAckPending ?? 20_000,
      prefetch: Math.max(1, this.options.prefetch ?? 1000),
      timeoutMs: this.options.timeoutMs ?? 10_000,
      ensureStream: (t) => this.ensureStream(t),
      forget: (s) => this.sources.delete(s),
    };
    const source = new NatsSource(session, topic, options);
    this.sources.add(source);
    return source;
  }

  async stats(topic: string): Promise<{ messages: number; consumers: Record<string, { pending: number }> }> {
    const { jsm } = this.connection();
    const stream = streamName(this.options.streamPrefix ?? 'SLUICE_', topic);
    let messages: number;
    try {
      messages = (await jsm.streams.info(stream)).state.messages;
    } catch (error) {
      if (isStreamNotFound(error)) return { messages: 0, consumers: {} };
      throw this.apiError(error, `reading stream ${stream}`);
    }
    const consumers: Record<string, { pending: number }> = {};
    for await (const c of jsm.consumers.list(stream)) {
      // Not yet delivered plus delivered-but-unacknowledged: what the embedded bus calls pending.
      consumers[c.name] = { pending: c.num_pending + c.num_ack_pending };
    }
    return { messages, consumers };
  }

  async close(): Promise<void> {
    const connected = this.connected;
    if (connected === null) return;
    // In parallel: each waits up to a second for its open pull request to lapse.
    await Promise.all([...this.sources].map((source) => source.close()));
    this.connected = null;
    this.streams.clear();
    connected.publisher.close();
    await connected.nc.drain().catch(() => connected.nc.close());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function isStreamNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 10059 || (error instanceof Error && /stream not found/i.test(error.message));
}
