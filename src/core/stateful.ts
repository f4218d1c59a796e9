import type { EnvelopeMeta } from './envelope.js';
import type { Row, TableSpec } from './schema.js';

/**
 * Where a stateful operator sends what it produces. Outputs join the current chunk and are
 * committed with it — in the same warehouse transaction as the operator's state snapshot.
 */
export interface SideOutputs {
  /** A row for one of the operator's tables (in that table's column order, key first as declared). */
  write(table: TableSpec, row: Row): void;
  /** A message for a topic; `id` deduplicates it on the bus. */
  publish(topic: string, id: string, payload: string): void;
  /**
   * A side error row about a record that otherwise flows on (e.g. `late_event`: the event is
   * stored, but too late for its window). Counted separately from the record accounting.
   */
  error(envelope: EnvelopeMeta, errorType: string, message: string, keyFields?: Readonly<Record<string, unknown>>): void;
}

/**
 * A tap that keeps state across records — windowed aggregates, rolling features. It observes
 * every record reaching it without changing or stopping it, and emits rows on its own schedule
 * (when a watermark passes, a timer fires, the input ends).
 *
 * State is checkpointed: after each chunk the runner stores `snapshot()` in the warehouse in the
 * same transaction as the chunk's rows, and `restore()`s it on the next start, so a restart
 * resumes open windows without duplicate or missing output.
 *
 * @example
 * pipeline({...}).step('parse', …).tap(new WindowedAggregate({...}))
 */
export interface StatefulOperator<T = unknown> {
  /** Unique within the pipeline; names the checkpoint. */
  readonly name: string;
  /** Tables `write` may target; created with the pipeline's. */
  readonly tables: readonly TableSpec[];
  /** Sees one record. Must not mutate `value`. */
  observe(value: T, envelope: EnvelopeMeta, out: SideOutputs): void;
  /** Called after every processed batch and on idle polls, with processing time now. */
  tick(now: number, out: SideOutputs): void;
  /** A bounded input ended: emit everything still held (e.g. advance the watermark to +∞). */
  finish(out: SideOutputs): void;
  /** Plain JSON-able state. */
  snapshot(): unknown;
  restore(state: unknown): void;
}
