import { batchSize, type Source, type SourceBatch } from '../core/source.js';

/** How long a source asked again after it ended listens before it ends again. */
export const LAST_LOOK_MS = 1000;

/**
 * Wraps an unbounded source so it ends once it has been listened to for `idleMs` in all without
 * anything arriving — "drain what is there, then stop", for scripts, tests and catch-up jobs.
 *
 * Idle time is the time spent in empty pulls, not the time since the last message: a source that
 * is not pulled for a while (the event-time merge waits on another topic meanwhile) has not been
 * heard to be idle, and messages may have arrived for it — a crashed worker's, redelivered once
 * the bus's ack wait lapsed. Judged by the clock, such a topic was declared drained the moment
 * the merge came back to it, and those messages stayed on the bus.
 */
export function stopWhenIdle(source: Source, idleMs: number): Source {
  let idleFor = 0;
  return {
    name: source.name,
    bounded: true,
    open: () => source.open(),
    async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
      // Asked again after it ended (a merge's last look round): it listens once more, long enough
      // for a round trip to the bus to bring what arrived meanwhile, not for a whole idle period.
      if (idleFor >= idleMs) idleFor = Math.max(0, idleMs - LAST_LOOK_MS);
      const startedAt = Date.now();
      // Never longer than the caller asked: a zero wait is a runner with work to settle meanwhile.
      const batch = await source.pull(max, Math.min(waitMs, idleMs - idleFor), signal);
      if (batch === null) return null;
      if (batchSize(batch) > 0) {
        idleFor = 0;
        return batch;
      }
      // Messages are due that the source cannot hand out yet: that is not idleness.
      if (source.catchingUp === true) return batch;
      // At least a millisecond a pull: a source that answers at once cannot keep this spinning.
      idleFor += Math.max(1, Date.now() - startedAt);
      if (idleFor < idleMs) return batch;
      // Idle by the clock, but the server may know better: messages this reader was never sent
      // mean its fetches are held up, not that the topic is drained. Listened to afresh then.
      if (source.hasPending !== undefined && (await source.hasPending().catch(() => false))) {
        idleFor = 0;
        return batch;
      }
      return null;
    },
    ack: (batch) => source.ack(batch),
    ...(source.nak !== undefined ? { nak: source.nak.bind(source) } : {}),
    ...(source.progress !== undefined ? { progress: source.progress.bind(source) } : {}),
    ...(source.hasPending !== undefined ? { hasPending: source.hasPending.bind(source) } : {}),
    close: () => source.close(),
  };
}
