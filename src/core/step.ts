import type { EnvelopeMeta } from './envelope.js';

/**
 * A step's verdict on a bad record: it becomes an error row and the record stops here.
 * Returned, not thrown (zod's safeParse habit): bad records are values.
 */
export class Rejection {
  readonly errorType: string;
  readonly message: string;
  constructor(errorType: string, message: string) {
    this.errorType = errorType;
    this.message = message;
  }
}

/** A step's verdict that a record is deliberately dropped (counted as filtered, not an error). */
export class Filtered {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

const FILTERED_DEFAULT = new Filtered('filtered');

/** What a step sees besides the value. One instance is reused across records: do not keep it. */
export interface StepContext {
  /** The current envelope's id, attributes and times. */
  readonly envelope: EnvelopeMeta;
  /** Processing time now, from the runner's clock (epoch ms). */
  readonly now: number;
  /** The pipeline's name. */
  readonly pipeline: string;
  /** Marks the record bad: it becomes an error row of this type. */
  reject(errorType: string, message: string): Rejection;
  /** Drops the record deliberately. */
  filter(reason?: string): Filtered;
  /** Replaces the envelope id (e.g. with a natural key) — the idempotency key of every later sink. */
  setId(id: string): void;
}

/** The result of a step on one value. */
export type StepResult<O> = O | Rejection | Filtered;

/**
 * A named transformation. Return the new value (or mutate and return the same one), a
 * `ctx.reject(...)`, or a `ctx.filter()`. Throw `TransientError` to ask for a retry; any other
 * throw becomes a `step_exception` error row. Return a promise only where I/O is needed: the
 * runner awaits once per batch, not per record, when a step is synchronous.
 *
 * @example
 * const upper: StepFn<string, string> = (s, ctx) => (s.length === 0 ? ctx.reject('empty', 'empty line') : s.toUpperCase());
 */
export type StepFn<I, O> = (value: I, ctx: StepContext) => StepResult<O> | Promise<StepResult<O>>;

export function makeRejection(errorType: string, message: string): Rejection {
  return new Rejection(errorType, message);
}

export function makeFiltered(reason?: string): Filtered {
  return reason === undefined ? FILTERED_DEFAULT : new Filtered(reason);
}
