import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { SluiceError } from '../../core/errors.js';
import type { RetryPolicy } from '../../core/pipeline.js';
import type { SourceBatch } from '../../core/source.js';
import type { RunEvent } from '../node-runner.js';
import type { BatchMessage, BatchResult, FromWorker, PipelineRecipe } from './protocol.js';
import { spawnThread } from './spawn-thread.js';
import type { ThreadError } from './thread-error.js';

/** Step threads for `threads: 'auto'`: one per core the process may use, at most four. */
export function autoThreadCount(): number {
  return Math.min(4, availableParallelism());
}

export interface StepWorkersOptions {
  readonly count: number;
  readonly recipe: PipelineRecipe;
  readonly head: readonly string[];
  readonly outageRetry: RetryPolicy;
  readonly maxDeliveries?: number;
  readonly sourceName: string;
  readonly onEvent?: (event: RunEvent) => void;
}

interface Pending {
  readonly resolve: (result: BatchResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A step worker's failure, rebuilt on the main thread with the worker's code and message. */
export class StepWorkerError extends SluiceError {
  constructor(error: ThreadError) {
    super(error.code ?? 'STEP_WORKER_FAILED', error.message);
    this.name = error.name === 'Error' ? 'StepWorkerError' : error.name;
  }
}

function spawnWorker(name: string): Worker {
  // A batch's records die young; a roomier young generation lets them die there instead of being
  // copied out by scavenges (measured on municipal steps: GC share 7% → 3%).
  return spawnThread(import.meta.url, 'step-worker', { name, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
}

/**
 * A pool of step worker threads running a pipeline's stateless head. Batches go out round-robin;
 * each resolves with its own result, and the caller consumes results in the order it sent them,
 * so the rest of the pipeline sees records in source order whatever thread ran them.
 *
 * @example
 * const workers = await StepWorkers.start({ count: 2, recipe, head: ['parse'], outageRetry, sourceName: 'file:x' });
 * const result = await workers.run(batch, Date.now(), Date.now());
 */
export class StepWorkers {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private seq = 0;
  private failure: unknown = null;
  /** Set by close(): from then on a worker's exit is expected. */
  private closing = false;

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  static async start(options: StepWorkersOptions): Promise<StepWorkers> {
    const workers: Worker[] = [];
    const pool = new StepWorkers(workers);
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < options.count; i++) {
      const worker = spawnWorker(`sluice-steps-${i + 1}`);
      workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (message: FromWorker) => {
            if (message.type === 'ready') resolve();
            else if (message.type === 'failed' && message.seq === null) reject(new StepWorkerError(message.error));
            else pool.receive(message, options.onEvent);
          });
          worker.once('error', (error) => {
            reject(error);
            pool.fail(error);
          });
          worker.once('exit', (code) => {
            // Any exit close() did not ask for loses the worker's batches, whatever its code (a step
            // calling process.exit(0) exits cleanly) and whether or not it was ready yet: without
            // this, the run waited forever for those batches, or for the worker to be ready.
            if (pool.closing) return;
            const error = new SluiceError('STEP_WORKER_FAILED', `step worker ${i + 1} exited with code ${code}`);
            reject(error);
            pool.fail(error);
          });
        }),
      );
      worker.postMessage({
        type: 'init',
        recipe: options.recipe,
        head: options.head,
        outageRetry: options.outageRetry,
        sourceName: options.sourceName,
        ...(options.maxDeliveries !== undefined ? { maxDeliveries: options.maxDeliveries } : {}),
      });
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs the head over one batch on the next worker. */
  run(batch: SourceBatch, receivedAt: number, now: number): Promise<BatchResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const seq = this.seq++;
    if (batch.payloadBlock !== undefined) {
      // Cloned, not transferred: the main thread keeps it for a tail step that needs the raw payload.
      return this.send({ type: 'batch', seq, payloads: batch.payloadBlock, ids: null, attributes: null, publishTimes: null, deliveryCounts: null, receivedAt, now }, []);
    }
    const messages = batch.messages;
    const n = messages.length;
    const payloads: string[] = new Array(n);
    let ids: Array<string | null> | null = null;
    let attributes: Array<Readonly<Record<string, string>> | null> | null = null;
    let publishTimes: Float64Array | null = null;
    let deliveryCounts: Int32Array | null = null;
    for (let i = 0; i < n; i++) {
      const m = messages[i] as SourceBatch['messages'][number];
      payloads[i] = m.payload;
      // Each array exists only once some message carries that field.
      if (m.id !== undefined) {
        ids ??= new Array<string | null>(n).fill(null);
        ids[i] = m.id;
      }
      if (m.attributes !== undefined) {
        attributes ??= new Array<Readonly<Record<string, string>> | null>(n).fill(null);
        attributes[i] = m.attributes;
      }
      if (m.publishTime !== undefined) {
        publishTimes ??= new Float64Array(n).fill(receivedAt);
        publishTimes[i] = m.publishTime;
      }
      if (m.deliveryCount !== undefined) {
        deliveryCounts ??= new Int32Array(n);
        deliveryCounts[i] = m.deliveryCount;
      }
    }
    const message: BatchMessage = { type: 'batch', seq, payloads, ids, attributes, publishTimes, deliveryCounts, receivedAt, now };
    const transfer: ArrayBuffer[] = [];
    if (publishTimes !== null) transfer.push(publishTimes.buffer as ArrayBuffer);
    if (deliveryCounts !== null) transfer.push(deliveryCounts.buffer as ArrayBuffer);
    return this.send(message, transfer);
  }

  private send(message: BatchMessage, transfer: ArrayBuffer[]): Promise<BatchResult> {
    const worker = this.workers[this.next] as Worker;
    this.next = (this.next + 1) % this.workers.length;
    return new Promise<BatchResult>((resolve, reject) => {
      this.pending.set(message.seq, { resolve, reject });
      worker.postMessage(message, transfer);
    });
  }

  /** Asks the workers to cut short any retry waits (a stop signal). */
  abort(): void {
    for (const worker of this.workers) worker.postMessage({ type: 'abort' });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.fail(new SluiceError('STEP_WORKERS_CLOSED', 'the step workers were closed'));
  }

  private receive(message: FromWorker, onEvent: ((event: RunEvent) => void) | undefined): void {
    if (message.type === 'event') {
      onEvent?.(message.event);
      return;
    }
    if (message.type === 'result') {
      const pending = this.pending.get(message.seq);
      this.pending.delete(message.seq);
      pending?.resolve(message);
      return;
    }
    if (message.type === 'failed') {
      const error = new StepWorkerError(message.error);
      if (message.seq === null) {
        this.fail(error);
        return;
      }
      const pending = this.pending.get(message.seq);
      this.pending.delete(message.seq);
      pending?.reject(error);
    }
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
