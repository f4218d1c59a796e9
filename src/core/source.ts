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
  /**
   * The payloads as one block of UTF-8 bytes, when the source read them as bytes and its
   * messages carry nothing but a payload (a file's lines) and, at most, the block's attributes. Step threads then receive the block
   * and decode it themselves (splitBlock): the main thread neither decodes nor clones a string a
   * message (≈1.7 µs a municipal event in its profile, and the garbage of 580 bytes).
   */
  readonly payloadBlock?: LineBlock;
}

/** `count` payloads in UTF-8, joined by LF; none is empty or holds an LF or a CR. */
export interface LineBlock {
  readonly text: Uint8Array;
  readonly count: number;
  /**
   * The lines' attributes, when they have any: line i has `attributes[attributeIndex[i]]`. A merge
   * of file sources labels each line with its topic this way, and the block still crosses to the
   * step threads as bytes (a few shared objects, not one per line).
   */
  readonly attributes?: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly attributeIndex?: Uint8Array;
}

/** The attributes of line `i` of a block (undefined when its lines carry none). */
export function blockLineAttributes(block: LineBlock, i: number): Readonly<Record<string, string>> | undefined {
  return block.attributeIndex === undefined ? undefined : block.attributes?.[block.attributeIndex[i] as number];
}

/**
 * Single lines of a block, decoded when asked for: the main thread keeps a block batch for the
 * steps after the step threads, which need a record's raw text only for an error row. Where each
 * line starts is found on the first call.
 */
export class BlockLines {
  private readonly text: Buffer;
  private readonly count: number;
  private starts: Int32Array | null = null;

  constructor(block: LineBlock) {
    this.text = blockBytes(block);
    this.count = block.count;
  }

  line(i: number): string {
    this.starts ??= lineStarts(this.text, this.count);
    return this.text.toString('utf8', this.starts[i] as number, (this.starts[i + 1] as number) - 1);
  }
}

/** A block's bytes as a Buffer over the same memory. */
export function blockBytes(block: LineBlock): Buffer {
  return Buffer.from(block.text.buffer, block.text.byteOffset, block.text.length);
}

/**
 * Where each of the `count` LF-separated lines of `text` starts, plus one past the end: line i is
 * `text[starts[i], starts[i + 1] - 1)`.
 */
export function lineStarts(text: Buffer, count: number): Int32Array {
  const starts = new Int32Array(count + 1);
  let start = 0;
  for (let k = 0; k < count; k++) {
    starts[k] = start;
    const lf = text.indexOf(10, start);
    start = lf < 0 ? text.length + 1 : lf + 1;
  }
  starts[count] = text.length + 1;
  return starts;
}

/**
 * The payloads of a block, in order. Decoded line by line: V8 makes an ASCII line a one-byte
 * string on a fast path, where one decode of the block makes every line two-byte as soon as one
 * holds a non-Latin-1 character (measured on municipal tickets: 0.68 against 1.27 µs a line).
 */
export function splitBlock(block: LineBlock): string[] {
  const text = blockBytes(block);
  const lines: string[] = new Array(block.count);
  let start = 0;
  for (let i = 0; i < block.count; i++) {
    let end = text.indexOf(10, start);
    if (end < 0) end = text.length;
    lines[i] = text.toString('utf8', start, end);
    start = end + 1;
  }
  return lines;
}

/** How many messages a batch holds, without decoding a block batch's payloads. */
export function batchSize(batch: SourceBatch): number {
  return batch.payloadBlock !== undefined ? batch.payloadBlock.count : batch.messages.length;
}

/**
 * A batch of payload-only messages held as a block of bytes; `messages` decodes them on first use
 * (the single-threaded path, or a step after the threaded head that needs the raw payload).
 *
 * @example
 * const batch = blockBatch({ text: new TextEncoder().encode('{"a":1}\n{"a":2}'), count: 2 }, null);
 */
export function blockBatch(payloadBlock: LineBlock, token: unknown): SourceBatch {
  let messages: SourceMessage[] | null = null;
  return {
    payloadBlock,
    token,
    get messages(): readonly SourceMessage[] {
      if (messages === null) {
        const payloads = splitBlock(payloadBlock);
        messages = new Array(payloads.length);
        for (let i = 0; i < payloads.length; i++) {
          const attributes = blockLineAttributes(payloadBlock, i);
          messages[i] = attributes === undefined ? { payload: payloads[i] as string } : { payload: payloads[i] as string, attributes };
        }
      }
      return messages;
    },
  };
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
  /**
   * True while the source knows messages are due that it cannot hand out yet (a bus restoring
   * stream order after a dropped connection): an empty pull then is no sign the source is drained.
   */
  readonly catchingUp?: boolean;
  /**
   * Asks the source's server whether messages wait that this reader has not been handed yet (a
   * bus consumer's pending count). `--until-idle` asks before it ends a source that looked idle:
   * a fetch held up longer than the idle period (a busy server, a slow disk) is no drained topic.
   */
  hasPending?(): Promise<boolean>;
  close(): Promise<void>;
}

/** Whether a batch holds a message the bus delivered before (it may be one that crashed a worker). */
export function carriesRedelivery(batch: SourceBatch): boolean {
  if (batch.payloadBlock !== undefined) return false;
  const messages = batch.messages;
  for (let i = 0; i < messages.length; i++) {
    const count = messages[i]?.deliveryCount;
    if (count !== undefined && count > 1) return true;
  }
  return false;
}
