import { blockBatch, blockBytes, lineStarts, type Source, type SourceBatch, type SourceMessage } from '../core/source.js';

interface Pending {
  readonly source: Source;
  readonly batch: SourceBatch;
  /** Messages of the batch not yet handed out. */
  remaining: number;
}

/** One part of the merge and the batch it is handing out. */
interface Part {
  /** Its place among the merge's parts: its lines' attribute index in a merged block. */
  readonly index: number;
  readonly source: Source;
  readonly label: string;
  /** `{ topic: label }`, shared by every message that came without attributes. */
  readonly labelOnly: Readonly<Record<string, string>>;
  /** The batch's messages, labelled — or, for a block batch read as bytes, null (see `text`). */
  messages: SourceMessage[] | null;
  /** A block batch's bytes and where each of its lines starts (see lineStarts). */
  text: Buffer | null;
  starts: Int32Array;
  /** Event time by position. */
  times: Float64Array;
  count: number;
  from: Pending | null;
  head: number;
  done: boolean;
  lastTime: number;
}

const TIME_FIELD = /"([A-Za-z_]*_at|timestamp|event_time)"\s*:\s*"([^"]{10,40})"/;
const NON_ASCII = /[\u0080-\uffff]/;
/** How many leading bytes of a line are looked at first for its event time (see eventTimeOfUtf8). */
const TIME_PREFIX_BYTES = 256;

/**
 * The event time of a JSON line: the first `*_at`, `timestamp` or `event_time` field holding an
 * ISO-8601 text. Cheap (a regex, no JSON.parse); null when there is none.
 *
 * @example
 * eventTimeOfLine('{"ticket_id":"T1","submitted_at":"2026-11-01T08:00:00Z"}'); // 1793520000000
 */
export function eventTimeOfLine(line: string): number | null {
  const match = TIME_FIELD.exec(line);
  if (match === null) return null;
  const ms = Date.parse(match[2] as string);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * eventTimeOfLine of the UTF-8 line `bytes[start, end)`, usually without decoding it: the first
 * 256 bytes are read as Latin-1 (a copy, no UTF-8 decoding) and searched. A match there preceded
 * only by ASCII is the line's first match too — the text up to it is the same however it is
 * decoded, and no match can begin earlier and end later (it would have to start at one of this
 * match's quotes). Otherwise the whole line is decoded and searched as before.
 */
export function eventTimeOfUtf8(bytes: Buffer, start: number, end: number): number | null {
  const head = bytes.toString('latin1', start, Math.min(end, start + TIME_PREFIX_BYTES));
  const match = TIME_FIELD.exec(head);
  if (match !== null && !NON_ASCII.test(head.slice(0, match.index + match[0].length))) {
    const ms = Date.parse(match[2] as string);
    return Number.isFinite(ms) ? ms : null;
  }
  return eventTimeOfLine(bytes.toString('utf8', start, end));
}

export interface MergeOptions {
  /**
   * The parts end by idling (bus topics wrapped in `stopWhenIdle`): once all have ended, ask each
   * again, and go on if one has messages. Pulling a part after it returned null must be allowed.
   */
  readonly recheckEnded?: boolean;
}

/**
 * Reads several bounded sources, each in event-time order (e.g. `tickets.new.jsonl` and
 * `tickets.status.jsonl` from `sluice generate --out-dir`, or a bus backlog drained with
 * `--until-idle`), as one stream in event-time order, so features see a status update after its
 * ticket as they would live — taking the topics in turns instead would run one topic hours ahead
 * of the other, and its events would arrive too late for the features. Every message carries
 * its label in `attributes.topic`. A line without a time keeps its place after its predecessor.
 * A source batch is acknowledged with the merged batch that hands out its last message.
 *
 * @example
 * const source = mergeByEventTime([new JsonLinesSource('t.jsonl'), new JsonLinesSource('s.jsonl')], ['tickets.new', 'tickets.status']);
 */
export function mergeByEventTime(
  sources: readonly Source[],
  labels: readonly string[],
  timeOf: (payload: string) => number | null = eventTimeOfLine,
  options: MergeOptions = {},
): Source {
  const parts: Part[] = sources.map((source, i) => ({
    index: i,
    source,
    label: labels[i] ?? source.name,
    labelOnly: Object.freeze({ topic: labels[i] ?? source.name }),
    messages: [],
    text: null,
    starts: new Int32Array(0),
    times: new Float64Array(0),
    count: 0,
    from: null,
    head: 0,
    done: false,
    lastTime: Number.NEGATIVE_INFINITY,
  }));
  const labelled = parts.map((p) => p.labelOnly);
  // Block batches stay bytes through the merge when the event time can be read from bytes (the
  // default time field) and a line's part fits the block's one-byte attribute index.
  const bytesOk = timeOf === eventTimeOfLine && parts.length <= 256;
  /** Messages taken from the parts so far, and that count when the last look round began. */
  let received = 0;
  let receivedAtRecheck = -1;

  const take = (p: Part, batch: SourceBatch): void => {
    const block = batch.payloadBlock;
    const n = block !== undefined ? block.count : batch.messages.length;
    if (p.times.length < n) p.times = new Float64Array(Math.max(n, p.times.length * 2));
    p.count = n;
    p.from = { source: p.source, batch, remaining: n };
    if (block !== undefined && block.attributeIndex === undefined && bytesOk) {
      // A file's lines: their times are read from the bytes, and the bytes are what is handed on.
      const text = blockBytes(block);
      const starts = lineStarts(text, n);
      for (let i = 0; i < n; i++) {
        const time = eventTimeOfUtf8(text, starts[i] as number, (starts[i + 1] as number) - 1) ?? p.lastTime;
        p.lastTime = time;
        p.times[i] = time;
      }
      p.text = text;
      p.starts = starts;
      p.messages = null;
      return;
    }
    const messages: SourceMessage[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const message = batch.messages[i] as SourceMessage;
      const time = timeOf(message.payload) ?? p.lastTime;
      p.lastTime = time;
      p.times[i] = time;
      // One attributes object per part when the messages bring none (a file's lines): it is
      // also cloned once per batch, not once per message, on its way to the step threads.
      const attributes = message.attributes === undefined ? p.labelOnly : { ...message.attributes, topic: p.label };
      messages[i] = { ...message, attributes };
    }
    p.text = null;
    p.messages = messages;
  };

  // A part with nothing buffered is asked again until it gives messages, ends, or the pull's wait
  // is used up: the merge cannot know what comes next without its head, but the runner must not
  // be held longer than it asked — it has work to settle and commit meanwhile.
  const refill = async (p: Part, max: number, deadline: number, signal?: AbortSignal): Promise<void> => {
    do {
      if (signal?.aborted === true) return;
      p.count = 0;
      p.head = 0;
      p.from = null;
      const batch = await p.source.pull(max, Math.max(0, deadline - Date.now()), signal);
      if (batch === null) {
        p.done = true;
        return;
      }
      const n = batch.payloadBlock !== undefined ? batch.payloadBlock.count : batch.messages.length;
      received += n;
      if (n === 0) await p.source.ack(batch);
      else take(p, batch);
    } while (!p.done && p.head >= p.count && Date.now() < deadline);
  };

  return {
    name: sources.map((s) => s.name).join('+'),
    bounded: true,
    async open() {
      for (const s of sources) await s.open();
    },
    async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
      const deadline = Date.now() + waitMs;
      const out = new MergedBatch(labelled);
      const completed: Pending[] = [];
      while (out.count < max) {
        let best: Part | null = null;
        let waiting = false;
        for (const p of parts) {
          // Asked only when the part's buffer is empty: not twice a message.
          if (!p.done && p.head >= p.count) await refill(p, max, deadline, signal);
          if (p.head >= p.count) {
            // A part still open but empty: what comes next is unknown until it answers.
            if (!p.done) waiting = true;
            continue;
          }
          if (best === null || (p.times[p.head] as number) < (best.times[best.head] as number)) best = p;
        }
        // Hand out what is certain (possibly nothing) and ask that part again on the next pull.
        if (waiting || signal?.aborted === true) break;
        if (best === null) {
          // Every part ended — but a part that ended by idling (stopWhenIdle) ended while the merge
          // listened to the others one at a time, and may have had messages since (a crashed
          // worker's, redelivered once the ack wait lapsed). So every part is listened to once
          // more (stopWhenIdle, pulled after its end, listens LAST_LOOK_MS again), and the merge
          // ends only when a whole round brought nothing.
          if (options.recheckEnded === true && out.count === 0 && received !== receivedAtRecheck) {
            receivedAtRecheck = received;
            for (const p of parts) p.done = false;
            continue;
          }
          break;
        }
        const at = best.head++;
        if (best.messages !== null) out.addMessage(best.messages[at] as SourceMessage);
        else out.addLine(best.index, best.text as Buffer, best.starts[at] as number, (best.starts[at + 1] as number) - 1);
        const from = best.from as Pending;
        if (--from.remaining === 0) completed.push(from);
      }
      if (out.count === 0 && (parts.every((p) => p.done) || signal?.aborted === true)) return null;
      return out.batch(completed);
    },
    async ack(batch: SourceBatch): Promise<void> {
      for (const part of batch.token as Pending[]) await part.source.ack(part.batch);
    },
    progress() {
      let done = 0;
      let total = 0;
      let known = true;
      for (const s of sources) {
        const p = s.progress?.();
        if (p === undefined) continue;
        done += p.done;
        if (p.total === undefined) known = false;
        else total += p.total;
      }
      return { done, ...(known ? { total } : {}), unit: 'bytes' };
    },
    async close() {
      for (const s of sources) await s.close();
    },
  };
}

/**
 * The batch one pull hands out. While every message taken is a line of a block it stays bytes:
 * runs of consecutive lines of one block are noted and copied into one new block at the end, each
 * line labelled with its part. A message that is not a line turns the batch into messages.
 */
class MergedBatch {
  count = 0;
  private readonly labels: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Byte runs as (text, start, end) triples; consecutive lines of one block share a run. */
  private readonly runs: Array<Buffer | number> = [];
  private bytes = 0;
  private partOf: number[] = [];
  private messages: SourceMessage[] | null = null;

  constructor(labels: ReadonlyArray<Readonly<Record<string, string>>>) {
    this.labels = labels;
  }

  addLine(part: number, text: Buffer, start: number, end: number): void {
    if (this.messages !== null) {
      this.messages.push({ payload: text.toString('utf8', start, end), attributes: this.labels[part] as Readonly<Record<string, string>> });
    } else {
      const last = this.runs.length - 3;
      if (last >= 0 && this.runs[last] === text && this.runs[last + 2] === start - 1) {
        this.runs[last + 2] = end;
        this.bytes += end - start + 1;
      } else {
        this.runs.push(text, start, end);
        this.bytes += end - start + (this.count > 0 ? 1 : 0);
      }
      this.partOf.push(part);
    }
    this.count++;
  }

  addMessage(message: SourceMessage): void {
    if (this.messages === null) {
      const lines = this.batch(null).messages;
      this.messages = lines.slice();
      this.runs.length = 0;
      this.partOf = [];
    }
    this.messages.push(message);
    this.count++;
  }

  batch(token: unknown): SourceBatch {
    if (this.messages !== null || this.count === 0) return { messages: this.messages ?? [], token };
    // Not from Buffer's shared pool: the block is cloned to a step thread whole, backing store and all.
    const text = Buffer.allocUnsafeSlow(this.bytes);
    let at = 0;
    for (let r = 0; r < this.runs.length; r += 3) {
      if (r > 0) text[at++] = 10;
      at += (this.runs[r] as Buffer).copy(text, at, this.runs[r + 1] as number, this.runs[r + 2] as number);
    }
    return blockBatch({ text, count: this.count, attributes: this.labels, attributeIndex: Uint8Array.from(this.partOf) }, token);
  }
}
