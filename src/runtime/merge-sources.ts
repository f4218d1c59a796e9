import { carriesRedelivery, type Source, type SourceBatch, type SourceMessage } from '../core/source.js';

interface MergedToken {
  readonly parts: ReadonlyArray<readonly [Source, SourceBatch]>;
}

/**
 * Reads several sources as one — a pipeline with two inputs (tickets and their status updates)
 * sees one stream in which each message carries its origin in `attributes.topic`. Pulls take from
 * every source in turn, so a busy input cannot starve a quiet one; acks go back to the source each
 * message came from. Bounded only if every part is. A part carrying a redelivery is never merged
 * with other messages: the runner processes redeliveries apart (runner.ts, `processApart`), so it
 * comes alone, at once or on the next pull.
 *
 * @example
 * const source = mergeSources([bus.subscribe('tickets.new', opts), bus.subscribe('tickets.status', opts)], ['tickets.new', 'tickets.status']);
 */
export function mergeSources(sources: readonly Source[], labels: readonly string[] = sources.map((s) => s.name)): Source {
  const done = new Set<Source>();
  let turn = 0;
  /** A redelivered part pulled after other messages: the next pull returns it alone. */
  let held: SourceBatch | null = null;
  return {
    name: sources.map((s) => s.name).join('+'),
    bounded: sources.every((s) => s.bounded),
    async open() {
      for (const s of sources) await s.open();
    },
    async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
      if (held !== null) {
        const batch = held;
        held = null;
        return batch;
      }
      const parts: Array<readonly [Source, SourceBatch]> = [];
      const messages: SourceMessage[] = [];
      const live = sources.filter((s) => !done.has(s));
      if (live.length === 0) return null;
      const share = Math.max(1, Math.floor(max / live.length));
      // Only the first source polled may wait; the others are asked for what they already have.
      let wait = waitMs;
      for (let k = 0; k < sources.length && messages.length < max; k++) {
        const index = (turn + k) % sources.length;
        const source = sources[index] as Source;
        if (done.has(source)) continue;
        const batch = await source.pull(Math.min(share, max - messages.length), wait, signal);
        if (batch === null) {
          done.add(source);
          continue;
        }
        const label = labels[index] ?? source.name;
        if (batch.messages.length > 0 && carriesRedelivery(batch)) {
          const labelled = batch.messages.map((m) => ({ ...m, attributes: { ...m.attributes, topic: label } }));
          if (messages.length > 0) {
            held = { messages: labelled, token: { parts: [[source, batch]] } satisfies MergedToken };
          } else {
            parts.push([source, batch]);
            messages.push(...labelled);
          }
          break;
        }
        parts.push([source, batch]);
        for (const m of batch.messages) messages.push({ ...m, attributes: { ...m.attributes, topic: label } });
        if (batch.messages.length > 0) wait = 0;
      }
      turn = (turn + 1) % sources.length;
      if (parts.length === 0 && done.size === sources.length) return null;
      return { messages, token: { parts } satisfies MergedToken };
    },
    async ack(batch: SourceBatch): Promise<void> {
      for (const [source, part] of (batch.token as MergedToken).parts) await source.ack(part);
    },
    async nak(batch: SourceBatch, delayMs: number): Promise<void> {
      for (const [source, part] of (batch.token as MergedToken).parts) await source.nak?.(part, delayMs);
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
      return { done, ...(known ? { total } : {}), unit: 'mixed' };
    },
    async close() {
      for (const s of sources) await s.close();
    },
  };
}
