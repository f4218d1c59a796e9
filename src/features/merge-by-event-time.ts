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
  readonly messages: Array<{ message: SourceMessage; time: number; from: Pending }>;
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
    messages: [],
    head: 0,
    done: false,
    lastTime: Number.NEGATIVE_INFINITY,
  }));

  // A part with nothing buffered is asked again (waiting up to `waitMs` each time) until it gives
  // messages or ends: the merge cannot know what comes next without its head.
  const refill = async (b: Buffer, max: number, waitMs: number, signal?: AbortSignal): Promise<void> => {
    while (!b.done && b.head >= b.messages.length) {
      if (signal?.aborted === true) return;
      b.messages.length = 0;
      b.head = 0;
      const batch = await b.source.pull(max, waitMs, signal);
      if (batch === null) {
        b.done = true;
        return;
      }
      const pending: Pending = { source: b.source, batch, remaining: batch.messages.length };
      for (const message of batch.messages) {
        const time = timeOf(message.payload) ?? b.lastTime;
        b.lastTime = time;
        b.messages.push({ message: { ...message, attributes: { ...message.attributes, topic: b.label } }, time, from: pending });
      }
      if (batch.messages.length === 0) await b.source.ack(batch);
    }
  };

  return {
    name: sources.map((s) => s.name).join('+'),
    bounded: true,
    async open() {
      for (const s of sources) await s.open();
    },
    async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
      const messages: SourceMessage[] = [];
      const completed: Pending[] = [];
      while (messages.length < max) {
        let best: Buffer | null = null;
        for (const b of buffers) {
          await refill(b, max, waitMs, signal);
          if (b.head >= b.messages.length) continue;
          if (best === null || (b.messages[b.head]?.time as number) < (best.messages[best.head]?.time as number)) best = b;
        }
        if (best === null) {
          // Every part ended — but a part that ended by idling (stopWhenIdle) ended while the merge
          // listened to the others one at a time, and may have had messages since (a crashed
          // worker's, redelivered once the ack wait lapsed). Each is asked once more; the merge
          // ends only when none has anything.
          if (options.recheckEnded === true && messages.length === 0 && signal?.aborted !== true && buffers.every((b) => b.done)) {
            let revived = false;
            for (const b of buffers) {
              b.done = false;
              await refill(b, max, waitMs, signal);
              if (b.head < b.messages.length) revived = true;
            }
            if (revived) continue;
          }
          break;
        }
        const next = best.messages[best.head++] as Buffer['messages'][number];
        messages.push(next.message);
        if (--next.from.remaining === 0) completed.push(next.from);
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
