/** One message as a source hands it over, before it becomes an envelope. */
export interface SourceMessage {
  /** The source's own id (bus message id), if it has one; otherwise the runner hashes the payload. */
  readonly id?: string;
  readonly payload: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** Epoch ms the message entered the system; defaults to the time it was read. */
  readonly publishTime?: number;
  /**
   * How many times the bus has delivered this message (1 the first time), where it counts. The
   * runner processes a batch carrying a redelivery (above 1) apart, in a commit of its own.
   */
  readonly deliveryCount?: number;
}

/** What one `pull` returned. `token` is the source's own bookkeeping for `ack`. */
export interface SourceBatch {
  readonly messages: readonly SourceMessage[];
  readonly token: unknown;
}

/**
 * Where envelopes come from. Tiny on purpose (kysely's Driver habit): pull a batch, ack it after
 * the sinks committed. Batches are acked in the order they were pulled.
 *
 * @example
 * for (;;) { const b = await source.pull(1000, 500); if (b === null) break; …commit…; await source.ack(b); }
 */
export interface Source {
  /** e.g. `file:tickets.jsonl`, `bus:tickets.new`. Appears in envelopes and error rows. */
  readonly name: string;
  /** True when the source ends by itself (a file); false for a bus or an HTTP endpoint. */
  readonly bounded: boolean;
  open(): Promise<void>;
  /**
   * Up to `max` messages, waiting at most `waitMs` for the first. An empty batch means nothing
   * arrived in time; `null` means a bounded source is exhausted (or the source was stopped).
   */
  pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null>;
  /** Everything in `batch` is committed downstream and must not be delivered again. */
  ack(batch: SourceBatch): Promise<void>;
  /** The batch could not be committed; deliver it again after `delayMs` where the source can. */
  nak?(batch: SourceBatch, delayMs: number): Promise<void>;
  /** Rough progress for long work: bytes or messages done of total, where known. */
  progress?(): { done: number; total?: number; unit: string };
  close(): Promise<void>;
}

/** Whether a batch holds a message the bus delivered before (it may be one that crashed a worker). */
export function carriesRedelivery(batch: SourceBatch): boolean {
  const messages = batch.messages;
  for (let i = 0; i < messages.length; i++) {
    const count = messages[i]?.deliveryCount;
    if (count !== undefined && count > 1) return true;
  }
  return false;
}
