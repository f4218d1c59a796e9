import type { Source } from './source.js';

export interface OutgoingMessage {
  /** Deduplication id: the bus stores a message with an id it has seen recently only once. */
  readonly id: string;
  readonly payload: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface PublishResult {
  readonly published: number;
  /** Messages the bus already had (same id): not stored again. */
  readonly duplicates: number;
}

export interface SubscribeOptions {
  /** Durable consumer name; positions are kept per (topic, consumer). Defaults to the pipeline name. */
  readonly consumer: string;
  /** Where a new consumer starts: the first message kept, or only new ones. Default `first`. */
  readonly startAt?: 'first' | 'new';
  /** Deliveries after which a message that keeps failing goes to the dead-letter topic. */
  readonly maxDeliveries?: number;
  /**
   * The consumer has one reader that needs the topic in stream order, also across a crash: a
   * restarted reader starts again at the first message not acknowledged, instead of getting the
   * crashed reader's messages back after the ack wait, behind newer ones. (The ordered lane: its
   * verdicts depend on the order.) Buses that always redeliver in order (the embedded log) ignore it.
   */
  readonly inOrder?: boolean;
}

/**
 * A message bus: the embedded durable log, NATS JetStream, Google Pub/Sub. Publishing is
 * durable when the promise resolves.
 */
export interface Bus {
  readonly kind: string;
  readonly location: string;
  open(): Promise<void>;
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishResult>;
  subscribe(topic: string, options: SubscribeOptions): Source;
  /** Messages kept on a topic and, per consumer, how many are still unacknowledged. */
  stats?(topic: string): Promise<{ messages: number; consumers: Record<string, { pending: number }> }>;
  close(): Promise<void>;
}
