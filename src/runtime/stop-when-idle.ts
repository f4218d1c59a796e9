import { batchSize, type Source, type SourceBatch } from '../core/source.js';

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
      const startedAt = Date.now();
      // Asked again after it ended (a merge's last look round): one full poll, not a zero wait.
      const left = idleFor >= idleMs ? idleMs : idleMs - idleFor;
      const batch = await source.pull(max, Math.min(waitMs || idleMs, left), signal);
      if (batch === null) return null;
      if (batchSize(batch) > 0) {
        idleFor = 0;
        return batch;
      }
      // At least a millisecond a pull: a source that answers at once cannot keep this spinning.
      idleFor += Math.max(1, Date.now() - startedAt);
      return idleFor >= idleMs ? null : batch;
    },
    ack: (batch) => source.ack(batch),
    ...(source.nak !== undefined ? { nak: source.nak.bind(source) } : {}),
    ...(source.progress !== undefined ? { progress: source.progress.bind(source) } : {}),
    close: () => source.close(),
  };
}
