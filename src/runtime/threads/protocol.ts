import type { StepCounts } from '../../core/accounting.js';
import type { ErrorRow } from '../../core/error-row.js';
import type { RetryPolicy } from '../../core/pipeline.js';
import type { RunEvent } from '../node-runner.js';
import type { RowFrame } from '../../core/row-frame.js';
import type { LineBlock } from '../../core/source.js';
import type { ThreadError } from './thread-error.js';

/**
 * How a step worker builds the same pipeline as the main thread: a module to import, a named
 * export that is a PipelineDefinition (or a function returning one, called with `args`), and the
 * environment its `build` sees (the PII key, file paths).
 *
 * @example
 * const recipe: PipelineRecipe = { module: new URL('./pipelines/index.js', import.meta.url).href, exportName: 'findPipeline', args: ['municipal-tickets'], env: process.env };
 */
export interface PipelineRecipe {
  readonly module: string;
  readonly exportName: string;
  readonly args?: readonly unknown[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface InitMessage {
  readonly type: 'init';
  readonly recipe: PipelineRecipe;
  /** The main thread's head, by node name: the worker refuses a pipeline that built differently. */
  readonly head: readonly string[];
  readonly outageRetry: RetryPolicy;
  readonly maxDeliveries?: number;
  readonly sourceName: string;
}

/** A pulled batch, spread into flat arrays (cheap to clone). */
export interface BatchMessage {
  readonly type: 'batch';
  readonly seq: number;
  /** The payloads as strings, or as a block of bytes (see SourceBatch.payloadBlock). */
  readonly payloads: readonly string[] | LineBlock;
  readonly ids: ReadonlyArray<string | null> | null;
  readonly attributes: ReadonlyArray<Readonly<Record<string, string>> | null> | null;
  readonly publishTimes: Float64Array | null;
  readonly deliveryCounts: Int32Array | null;
  readonly receivedAt: number;
  /** Processing time for the batch's steps and error rows, from the main thread's clock. */
  readonly now: number;
}

export type ToWorker = InitMessage | BatchMessage | { readonly type: 'abort' };

/** What the head did with one batch. */
export interface BatchResult {
  readonly type: 'result';
  readonly seq: number;
  readonly steps: ReadonlyArray<readonly [step: string, counts: StepCounts]>;
  readonly tables: ReadonlyArray<{ readonly table: string; readonly frame: RowFrame }>;
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly ids: readonly string[]; readonly payloads: readonly string[] }>;
  readonly errors: readonly ErrorRow[];
  readonly errored: number;
  readonly filtered: number;
  /** Records through the whole head: where they were in the batch, and their ids and values when a tail follows (else `[]` and null). */
  readonly survivors: { readonly index: Int32Array; readonly ids: readonly string[]; readonly values: readonly unknown[] | null };
}

export type FromWorker =
  | { readonly type: 'ready'; readonly head: readonly string[] }
  | BatchResult
  | { readonly type: 'event'; readonly event: RunEvent }
  | { readonly type: 'failed'; readonly seq: number | null; readonly error: ThreadError };
