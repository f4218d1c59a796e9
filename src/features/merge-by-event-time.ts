import type { Source, SourceBatch, SourceMessage } from '../core/source.js';

interface Pending {
  readonly source: Source;
  readonly batch: SourceBatch;
  /** Messages of the batch not yet handed out. */
  remaining: number;
}

interface Buffer {
  readonly source: Source;
  readonly label: string;
  /** `{ topic: label }`, shared by every message that came without attributes. */
  readonly labelOnly: Readonly<Record<string, string>>;
  /** The buffered messages (labelled), their event times and their source batches, by position. */
  readonly messages: SourceMessage[];
  readonly times: number[];
  readonly from: Pending[];
  head: number;
  done: boolean;
  lastTime: number;
}

const TIME_FIELD = /"([A-Za-z_]*_at|timestamp|event_time)"\s*:\s*"([^"]{10,40})"/;

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
  const buffers: Buffer[] = sources.map((source, i) => ({
    source,
    label: labels[i] ?? source.name,
    labelOnly: Object.freeze({ topic: labels[i] ?? source.name }),
    messages: [],
    times: [],
    from: [],
    head: 0,
    done: false,
    lastTime: Number.NEGATIVE_INFINITY,
  }));
  /** Messages taken from the parts so far, and that count when the last look round began. */
  let received = 0;
  let receivedAtRecheck = -1;

  // A part with nothing buffered is asked again until it gives messages, ends, or the pull's wait
  // is used up: the merge cannot know what comes next without its head, but the runner must not
  // be held longer than it asked — it has work to settle and commit meanwhile.
  const refill = async (b: Buffer, max: number, deadline: number, signal?: AbortSignal): Promise<void> => {
    do {
      if (signal?.aborted === true) return;
      b.messages.length = 0;
      b.times.length = 0;
      b.from.length = 0;
      b.head = 0;
      const batch = await b.source.pull(max, Math.max(0, deadline - Date.now()), signal);
      if (batch === null) {
        b.done = true;
        return;
      }
      received += batch.messages.length;
      const pending: Pending = { source: b.source, batch, remaining: batch.messages.length };
      for (const message of batch.messages) {
        const time = timeOf(message.payload) ?? b.lastTime;
        b.lastTime = time;
        // One attributes object per part when the messages bring none (a file's lines): it is
        // also cloned once per batch, not once per message, on its way to the step threads.
        const attributes = message.attributes === undefined ? b.labelOnly : { ...message.attributes, topic: b.label };
        b.messages.push({ ...message, attributes });
        b.times.push(time);
        b.from.push(pending);
      }
      if (batch.messages.length === 0) await b.source.ack(batch);
    } while (!b.done && b.head >= b.messages.length && Date.now() < deadline);
  };

  return {
    name: sources.map((s) => s.name).join('+'),
    bounded: true,
    async open() {
      for (const s of sources) await s.open();
    },
    async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
      const deadline = Date.now() + waitMs;
      const messages: SourceMessage[] = [];
      const completed: Pending[] = [];
      while (messages.length < max) {
        let best: Buffer | null = null;
        let waiting = false;
        for (const b of buffers) {
          // Asked only when the part's buffer is empty: not twice a message.
          if (!b.done && b.head >= b.messages.length) await refill(b, max, deadline, signal);
          if (b.head >= b.messages.length) {
            // A part still open but empty: what comes next is unknown until it answers.
            if (!b.done) waiting = true;
            continue;
          }
          if (best === null || (b.times[b.head] as number) < (best.times[best.head] as number)) best = b;
        }
        // Hand out what is certain (possibly nothing) and ask that part again on the next pull.
        if (waiting || signal?.aborted === true) break;
        if (best === null) {
          // Every part ended — but a part that ended by idling (stopWhenIdle) ended while the merge
          // listened to the others one at a time, and may have had messages since (a crashed
          // worker's, redelivered once the ack wait lapsed). So every part is listened to once
          // more (stopWhenIdle, pulled after its end, listens LAST_LOOK_MS again), and the merge
          // ends only when a whole round brought nothing.
          if (options.recheckEnded === true && messages.length === 0 && received !== receivedAtRecheck) {
            receivedAtRecheck = received;
            for (const b of buffers) b.done = false;
            continue;
          }
          break;
        }
        const at = best.head++;
        messages.push(best.messages[at] as SourceMessage);
        const from = best.from[at] as Pending;
        if (--from.remaining === 0) completed.push(from);
      }
      if (messages.length === 0 && (buffers.every((b) => b.done) || signal?.aborted === true)) return null;
      return { messages, token: completed };
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
