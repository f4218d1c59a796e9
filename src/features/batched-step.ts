import type { EnvelopeMeta } from '../core/envelope.js';
import type { StepContext, StepFn, StepResult } from '../core/step.js';

/** One record as a batched step sees it. */
export interface BatchItem<I> {
  readonly value: I;
  /** The envelope as it was when the step was called (ids change when later steps call setId). */
  readonly envelope: Pick<EnvelopeMeta, 'id' | 'attributes' | 'publishTime' | 'source'>;
}

/**
 * Turns a function over a whole batch into a step. The runner calls a step once per record and
 * awaits the batch's promises together, so the calls of one batch are collected and handed over
 * in one piece on the next microtask: one round trip to a store per batch, never one per record.
 * A throw rejects every record of the batch (a `TransientError` makes the runner retry each,
 * alone).
 *
 * @example
 * const enrich = batchedStep<Ticket, Ticket>(async (items) => { const rows = await store.getMany('ward', items.map((i) => i.value.ward)); return items.map((i, k) => ({ ...i.value, ward_row: rows[k] })); });
 */
export function batchedStep<I, O>(process: (items: readonly BatchItem<I>[]) => Promise<ReadonlyArray<StepResult<O>>>): StepFn<I, O> {
  let pending: { items: BatchItem<I>[]; done: Promise<ReadonlyArray<StepResult<O>>> } | null = null;
  return (value: I, ctx: StepContext) => {
    if (pending === null) {
      const items: BatchItem<I>[] = [];
      const done = new Promise<ReadonlyArray<StepResult<O>>>((resolve, reject) => {
        queueMicrotask(() => {
          pending = null;
          process(items).then(resolve, reject);
        });
      });
      pending = { items, done };
    }
    const e = ctx.envelope;
    const index = pending.items.push({ value, envelope: { id: e.id, attributes: e.attributes, publishTime: e.publishTime, source: e.source } }) - 1;
    return pending.done.then((results) => results[index] as StepResult<O>);
  };
}
