import type { Source, SourceBatch } from '../core/source.js';

/**
 * Wraps an unbounded source so it ends once nothing has arrived for `idleMs` — "drain what is
 * there, then stop", for scripts, tests and catch-up jobs.
 */
export function stopWhenIdle(source: Source, idleMs: number): Source {
  let idleSince: number | null = null;
  return {
    name: source.name,
    bounded: true,
    open: () => source.open(),
    async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
      const batch = await source.pull(max, Math.min(waitMs || idleMs, idleMs), signal);
      if (batch === null) return null;
      if (batch.messages.length > 0) {
        idleSince = null;
        return batch;
      }
      const now = Date.now();
      idleSince ??= now;
      return now - idleSince >= idleMs ? null : batch;
    },
    ack: (batch) => source.ack(batch),
    ...(source.nak !== undefined ? { nak: source.nak.bind(source) } : {}),
    ...(source.progress !== undefined ? { progress: source.progress.bind(source) } : {}),
    close: () => source.close(),
  };
}
