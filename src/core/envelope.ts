/**
 * The unit that travels through a pipeline. Every input — a bus message, a file line, an HTTP
 * request body — becomes one envelope. `id` is the idempotency key all the way down: sinks
 * insert-or-ignore on it, the bus deduplicates on it, error rows derive theirs from it.
 *
 * @example
 * const env: Envelope<string> = { id: 'm-1', data: '{"ticket_id":"T1"}', attributes: {}, publishTime: 0, receivedAt: Date.now(), source: 'bus:tickets.new' };
 */
export interface Envelope<T = unknown> {
  /** Stable id: the message id, the record's natural key, or a content hash. */
  id: string;
  data: T;
  readonly attributes: Readonly<Record<string, string>>;
  /** When the event entered the system (bus publish time, file read time), epoch ms. */
  readonly publishTime: number;
  /** When this Sluice process received it, epoch ms. Ingest-to-commit latency starts here. */
  readonly receivedAt: number;
  /** Where it came from, e.g. `bus:tickets.new` or `file:events.jsonl`. */
  readonly source: string;
}

/** The read-only part of an envelope that steps may look at. */
export type EnvelopeMeta = Omit<Envelope, 'data'>;
