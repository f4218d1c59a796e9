import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { OutgoingMessage, PublishResult } from '../../core/bus.js';
import { ConnectorUnavailableError, describeError } from '../../core/errors.js';

/**
 * JetStream publishing without a request object per message: every message is a plain publish
 * whose reply subject is `<inbox>.<batch>.<index>` on one wildcard subscription, and the
 * acknowledgements are tallied as they arrive (Go's PublishAsync pattern). nats.js's
 * `js.publish()` makes a promise, a timer and a mux entry per message; measured on this machine,
 * this path is 2–3× faster (20k × 600 B: ~3.7k msg/s → ~11k msg/s under the same load). At most
 * `window` acknowledgements are awaited at a time; a batch fails when none arrives for
 * `timeoutMs`.
 */

interface BatchState {
  outstanding: number;
  published: number;
  duplicates: number;
  failed: number;
  firstError: string | null;
  /** Replies already counted, so a repeated reply is not counted twice. */
  readonly answered: Uint8Array;
  /** Resolves the publisher's wait once `outstanding` drops to `wakeAt`. */
  wake: (() => void) | null;
  wakeAt: number;
}

export interface PublisherVendor {
  readonly headers: () => MsgHdrs;
  readonly createInbox: () => string;
}

export class AsyncPublisher {
  private readonly nc: NatsConnection;
  private readonly vendor: PublisherVendor;
  private readonly window: number;
  private readonly timeoutMs: number;
  private readonly location: string;
  private prefix = '';
  private subscription: Subscription | null = null;
  private readonly batches = new Map<number, BatchState>();
  private nextBatch = 0;

  constructor(nc: NatsConnection, vendor: PublisherVendor, options: { window: number; timeoutMs: number; location: string }) {
    this.nc = nc;
    this.vendor = vendor;
    this.window = Math.max(1, options.window);
    this.timeoutMs = options.timeoutMs;
    this.location = options.location;
  }

  private ensureSubscription(): void {
    if (this.subscription !== null) return;
    this.prefix = this.vendor.createInbox();
    this.subscription = this.nc.subscribe(`${this.prefix}.>`, { callback: (_error, msg) => this.onReply(msg) });
  }

  private onReply(msg: Msg): void {
    const tail = msg.subject.slice(this.prefix.length + 1);
    const dot = tail.indexOf('.');
    const state = this.batches.get(Number(tail.slice(0, dot)));
    const index = Number(tail.slice(dot + 1));
    if (state === undefined || !(index >= 0) || index >= state.answered.length || state.answered[index] === 1) return;
    state.answered[index] = 1;
    state.outstanding--;
    const status = msg.headers?.code ?? 0;
    if (status >= 300) {
      // A status reply: 503 "no responders" means no stream listens on the subject.
      state.failed++;
      state.firstError ??= `status ${status} ${msg.headers?.description ?? ''}`.trim();
    } else {
      try {
        const ack = JSON.parse(msg.string()) as { duplicate?: boolean; error?: { description?: string; code?: number } };
        if (ack.error !== undefined) {
          state.failed++;
          state.firstError ??= `${ack.error.description ?? 'error'} (${ack.error.code ?? '?'})`;
        } else if (ack.duplicate === true) state.duplicates++;
        else state.published++;
      } catch (error) {
        state.failed++;
        state.firstError ??= `unreadable acknowledgement: ${describeError(error)}`;
      }
    }
    if (state.wake !== null && state.outstanding <= state.wakeAt) {
      const wake = state.wake;
      state.wake = null;
      wake();
    }
  }

  /** Waits until at most `level` acknowledgements are outstanding; fails when none arrives for timeoutMs. */
  private async drainTo(state: BatchState, level: number): Promise<void> {
    while (state.outstanding > level) {
      const before = state.outstanding;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        state.wakeAt = level;
        state.wake = resolve;
        timer = setTimeout(resolve, this.timeoutMs);
      });
      clearTimeout(timer);
      state.wake = null;
      if (state.outstanding === before) {
        throw new ConnectorUnavailableError(
          `NATS JetStream at ${this.location} acknowledged none of ${before} outstanding publish(es) for ${this.timeoutMs} ms (server down or overloaded). ` +
            'Retrying the batch is safe: messages already stored are recognised by id.',
        );
      }
    }
  }

  async publish(subject: string, messages: readonly OutgoingMessage[]): Promise<PublishResult> {
    this.ensureSubscription();
    const id = this.nextBatch++;
    const state: BatchState = { outstanding: 0, published: 0, duplicates: 0, failed: 0, firstError: null, answered: new Uint8Array(messages.length), wake: null, wakeAt: 0 };
    this.batches.set(id, state);
    const replyPrefix = `${this.prefix}.${id}.`;
    const lowWater = Math.floor(this.window / 2);
    try {
      for (let i = 0; i < messages.length; i++) {
        if (state.outstanding >= this.window) await this.drainTo(state, lowWater);
        const m = messages[i] as OutgoingMessage;
        const h = this.vendor.headers();
        h.set('Nats-Msg-Id', m.id);
        if (m.attributes !== undefined) for (const k in m.attributes) h.set(k, m.attributes[k] as string);
        try {
          this.nc.publish(subject, m.payload, { reply: `${replyPrefix}${i}`, headers: h });
        } catch (error) {
          throw new ConnectorUnavailableError(`publishing to ${subject} on NATS ${this.location} failed (${describeError(error)}); retrying the batch is safe.`, { cause: error });
        }
        state.outstanding++;
      }
      await this.drainTo(state, 0);
    } finally {
      this.batches.delete(id);
    }
    if (state.failed > 0) {
      throw new ConnectorUnavailableError(
        `NATS JetStream at ${this.location} refused ${state.failed} of ${messages.length} message(s) for ${subject} (${state.firstError}). Retrying the batch is safe: messages already stored are recognised by id.`,
      );
    }
    return { published: state.published, duplicates: state.duplicates };
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }
}
