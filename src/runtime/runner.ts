import { RunAccounting, type AccountingReport } from '../core/accounting.js';
import type { Bus } from '../core/bus.js';
import type { EnvelopeMeta } from '../core/envelope.js';
import { errorRowJson, errorRowValues } from '../core/error-row.js';
import { ConnectorUnavailableError, describeError } from '../core/errors.js';
import { type Pipeline, type PipelineNode, type RetryPolicy, STATE_TABLE, type TapNode } from '../core/pipeline.js';
import type { SideOutputs } from '../core/stateful.js';
import type { Row, TableSpec } from '../core/schema.js';
import { BlockLines, batchSize, blockLineAttributes, carriesRedelivery, type Source, type SourceBatch } from '../core/source.js';
import type { TableBatch, Warehouse } from '../core/warehouse.js';
import { LatencyHistogram } from '../observe/latency-histogram.js';
import { backoffDelay, sleep } from './backoff.js';
import { addStepCounts, InFlight, NodeRunner, NO_ATTRIBUTES, PendingChunk, type RunEvent } from './node-runner.js';
import type { BatchResult, PipelineRecipe } from './threads/protocol.js';
import { decodeRows, type RowFrame } from '../core/row-frame.js';
import { autoThreadCount, StepWorkers } from './threads/step-workers.js';
import { type Clock, systemClock } from '../time/clock.js';

export { contentId, type RunEvent } from './node-runner.js';
export type { PipelineRecipe } from './threads/protocol.js';

export interface RunOptions {
  readonly source: Source;
  readonly warehouse: Warehouse;
  /** Where `publish` taps and dead letters go. Without one, publish taps are counted but dropped. */
  readonly bus?: Bus;
  /** Flush sinks at this many records… Default 1000 (the seed's "1000 rows or 30 s"). */
  readonly flushRows?: number;
  /** …or when the oldest unflushed record is this old. Default 30 000 ms. */
  readonly flushMs?: number;
  /**
   * While a commit is running, a due chunk may keep growing up to this many records rather than
   * wait (adaptive batching under a backlog). Default min(100 000, 50 × flushRows).
   */
  readonly maxPendingRows?: number;
  /** How long one pull waits for the first message. Default 200 ms. */
  readonly pollMs?: number;
  /**
   * A message delivered more often than this (it keeps crashing or stalling its worker) becomes a
   * `max_deliveries_exceeded` error row without running the steps: a poison message must not
   * block the stream. Needs a source that counts deliveries (NATS JetStream). Redeliveries are
   * processed apart, one batch per commit, so only the culprit reaches the limit.
   */
  readonly maxDeliveries?: number;
  /** Retry policy for sink commits and publishes. */
  readonly sinkRetry?: Partial<RetryPolicy>;
  /** Stops the run: in-flight work is committed and acknowledged, then the run returns. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** Called at most every `progressEveryMs` with a snapshot, for progress lines and metrics. */
  readonly onProgress?: (progress: RunProgress) => void;
  readonly progressEveryMs?: number;
  /** Operator-level events (retrying a sink, resuming). Never receives record data. */
  readonly onEvent?: (event: RunEvent) => void;
  /** Create missing tables? Per-table `create` dispositions apply when undefined. */
  readonly createTables?: 'never' | 'if-needed';
  /**
   * Runs the pipeline's stateless head (see `Pipeline.statelessHead`) on step worker threads, which
   * build the same pipeline from `recipe`. `count: 'auto'` is one thread per core (at most four);
   * 0 runs everything on the main thread. Results are merged in source order, so tables, features
   * and error rows are the same as on one thread.
   */
  readonly threads?: { readonly count: number | 'auto'; readonly recipe: PipelineRecipe };
}

export interface RunProgress {
  readonly received: number;
  readonly committed: number;
  readonly errored: number;
  readonly elapsedMs: number;
  readonly source?: { done: number; total?: number; unit: string };
}

export interface RunResult {
  readonly accounting: AccountingReport;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly stoppedBy: 'end-of-input' | 'signal';
  /** Step worker threads that ran the stateless head (0 or absent: all on the main thread). */
  readonly threads?: number;
}

/**
 * Runs a pipeline from a source into a warehouse (and bus) until the source ends or the signal
 * aborts. The same pipeline object runs streaming (unbounded source) or batch (bounded source):
 * only the source and the flush sizes differ.
 *
 * Delivery: records are committed in chunks — every table write of a chunk in one warehouse
 * transaction, then publishes and dead letters — and the chunk's source batches are acknowledged
 * only after that. Sinks ignore keys they already hold, so a crash replays, never duplicates.
 *
 * @example
 * const result = await runPipeline(municipalTickets, { source, warehouse, bus });
 * console.log(result.accounting.written);
 */
export async function runPipeline<In, Out>(pipeline: Pipeline<In, Out>, options: RunOptions): Promise<RunResult> {
  const engine = new PipelineEngine(pipeline as Pipeline<unknown, unknown>, options);
  return engine.run();
}

/** Streaming defaults: small, frequent commits (the seed's 1000 rows / 30 s). */
export function runStreaming<In, Out>(pipeline: Pipeline<In, Out>, options: RunOptions): Promise<RunResult> {
  return runPipeline(pipeline, { flushRows: 1000, flushMs: 30_000, ...options });
}

/** Batch defaults: larger commits, because throughput matters more than latency for history (25k keeps memory modest). */
export function runBatch<In, Out>(pipeline: Pipeline<In, Out>, options: RunOptions): Promise<RunResult> {
  return runPipeline(pipeline, { flushRows: 25_000, flushMs: 60_000, pollMs: 0, ...options });
}

/** Rows and frames of a table as rows, for a warehouse that takes rows only. */
function rowsOf(rows: readonly Row[], frames: readonly RowFrame[]): Row[] {
  const all = [...rows];
  for (const frame of frames) decodeRows(frame, all);
  return all;
}

/**
 * How many batches may be out on the step workers at once, per worker. Four ran steps 1–5 from a
 * file ≈3% faster, but from two NATS topics merged by event time it held commits up for tens of
 * seconds (the outage tests saw no commit during a 20 s PostgreSQL outage); not understood yet.
 */
const BATCHES_PER_WORKER = 2;
/**
 * The most records sent to one step worker at a time. Small: a batch's objects live until the
 * main thread has merged it, and every young-generation collection meanwhile copies them — at
 * 4,096 municipal steps 1–5 ran at 52.7k events/s and steps 1–8 at 33.7k, at 1,024 at 58.7k and
 * 36.7k (medians of interleaved runs), with 300 MB less peak memory.
 */
const WORKER_BATCH = 1024;

class PipelineEngine {
  private readonly pipeline: Pipeline<unknown, unknown>;
  private readonly options: RunOptions;
  private readonly clock: Clock;
  private readonly accounting: RunAccounting;
  private readonly latency = new LatencyHistogram();
  private readonly flushRows: number;
  private readonly flushMs: number;
  private readonly pollMs: number;
  private readonly sinkRetry: RetryPolicy;
  private readonly nodes: NodeRunner;
  private pending = new PendingChunk();
  private readonly taps: readonly TapNode[];
  private inFlightCommit: Promise<void> | null = null;
  private commitSettled = true;
  /** Records of the chunk being committed: received, not yet in the books (progress counts them). */
  private committingReceived = 0;
  private readonly maxPendingRows: number;
  private commitFailure: unknown = null;
  /** The nodes the main thread runs: all of them, or those after the head the step workers run. */
  private tail: readonly PipelineNode[];
  private workers: StepWorkers | null = null;
  /** Batches out on the workers, oldest first. */
  private readonly queued: Array<{ batch: SourceBatch; receivedAt: number; result: Promise<BatchResult> }> = [];
  private readonly tablesByName = new Map<string, TableSpec>();
  private startedAt = 0;
  private lastProgress = 0;

  constructor(pipeline: Pipeline<unknown, unknown>, options: RunOptions) {
    this.pipeline = pipeline;
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.flushRows = Math.max(1, options.flushRows ?? 1000);
    this.flushMs = Math.max(0, options.flushMs ?? 30_000);
    this.pollMs = options.pollMs ?? 200;
    this.maxPendingRows = Math.max(this.flushRows, options.maxPendingRows ?? Math.min(100_000, this.flushRows * 50));
    // Twenty attempts ride out a minute or two of a restarting server (0.2 s doubling to 10 s)
    // before the run gives up without acknowledging; steps keep the seed's 3 attempts.
    this.sinkRetry = { attempts: 20, initialDelayMs: 200, maxDelayMs: 10_000, ...options.sinkRetry };
    this.accounting = new RunAccounting(
      pipeline.name,
      pipeline.nodes.filter((n) => n.kind === 'step').map((n) => n.name),
    );
    this.taps = pipeline.nodes.filter((n): n is TapNode => n.kind === 'tap');
    this.tail = pipeline.nodes;
    this.nodes = new NodeRunner(pipeline, {
      clock: this.clock,
      outageRetry: this.sinkRetry,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
      stepCounts: (step) => this.accounting.step(step),
      sideOutputs: (chunk, tap) => this.sideOutputs(chunk, tap),
    });
    for (const table of pipeline.tables()) this.tablesByName.set(table.name, table);
  }

  async run(): Promise<RunResult> {
    const { source, warehouse } = this.options;
    const startedAt = this.clock.now();
    this.startedAt = startedAt;
    this.lastProgress = startedAt;
    for (const table of this.pipeline.tables()) {
      await warehouse.ensureTable(table, this.options.createTables ?? table.create ?? 'if-needed');
    }
    await this.restoreTaps();
    await this.startWorkers();
    let stoppedBy: RunResult['stoppedBy'] = 'end-of-input';
    const onAbort = (): void => this.workers?.abort();
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await source.open();
      const pullSize = this.workers === null ? this.flushRows : Math.min(this.flushRows, WORKER_BATCH);
      try {
        for (;;) {
          if (this.options.signal?.aborted) {
            stoppedBy = 'signal';
            break;
          }
          if (this.commitFailure !== null) throw this.commitFailure;
          const batch = await source.pull(pullSize, this.queued.length > 0 ? 0 : this.pollMs, this.options.signal);
          if (batch === null) {
            if (this.options.signal?.aborted) stoppedBy = 'signal';
            break;
          }
          if (batchSize(batch) > 0) {
            if (carriesRedelivery(batch)) {
              await this.drainWorkers();
              await this.processApart(batch);
            } else if (this.workers !== null) {
              this.dispatch(batch);
              // Keep the workers busy, but bound what is held in memory (backpressure on the source).
              while (this.queued.length >= this.workers.size * BATCHES_PER_WORKER) await this.settleOldest();
              continue;
            } else {
              await this.process(batch);
            }
          } else if (this.queued.length > 0) {
            // Nothing this instant (it was asked not to wait): the oldest batch out on the step
            // threads is settled meanwhile, and the source asked again. Idle is an empty answer
            // to a pull that could wait, with nothing out.
            await this.settleOldest();
            await this.holdEmpty(batch);
            continue;
          } else {
            await this.holdEmpty(batch);
          }
          await this.afterBatch(batchSize(batch) === 0);
        }
        await this.drainWorkers();
        if (stoppedBy === 'end-of-input' && source.bounded) {
          for (const tap of this.taps) tap.operator.finish(this.sideOutputs(this.pending, tap));
        }
        await this.startCommit();
        await this.awaitCommit();
      } finally {
        await source.close();
      }
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      await this.workers?.close();
    }
    this.options.onProgress?.(this.progress());
    const elapsedMs = Math.max(1, this.clock.now() - startedAt);
    const accounting = this.accounting.assertBalanced();
    return {
      accounting,
      elapsedMs,
      eventsPerSecond: (accounting.received / elapsedMs) * 1000,
      latency: { p50Ms: this.latency.percentile(0.5), p99Ms: this.latency.percentile(0.99), maxMs: this.latency.max },
      stoppedBy,
      threads: this.workers?.size ?? 0,
    };
  }

  /** Starts step workers for the stateless head, when asked for and the pipeline has one. */
  private async startWorkers(): Promise<void> {
    const threads = this.options.threads;
    if (threads === undefined) return;
    const count = threads.count === 'auto' ? autoThreadCount() : threads.count;
    const head = this.pipeline.statelessHead();
    if (count <= 0 || head.length === 0) return;
    this.workers = await StepWorkers.start({
      count,
      recipe: threads.recipe,
      head: head.map((n) => n.name),
      outageRetry: this.sinkRetry,
      sourceName: this.options.source.name,
      ...(this.options.maxDeliveries !== undefined ? { maxDeliveries: this.options.maxDeliveries } : {}),
      ...(this.options.onEvent !== undefined ? { onEvent: this.options.onEvent } : {}),
    });
    this.tail = this.pipeline.nodes.slice(head.length);
  }

  /** After a batch (or an idle poll): taps tick, and the pending chunk is committed when due. */
  private async afterBatch(idle: boolean): Promise<void> {
    const now = this.clock.now();
    for (const tap of this.taps) tap.operator.tick(now, this.sideOutputs(this.pending, tap));
    const pending = this.pending;
    const hasWork = pending.received > 0 || pending.tables.size > 0 || pending.frames.size > 0 || pending.errors.length > 0;
    const due = pending.received >= this.flushRows || (hasWork && (idle || now - pending.firstAt >= this.flushMs));
    // Adaptive micro-batches: while the previous commit is still running, a due chunk keeps
    // growing (up to maxPendingRows) instead of waiting — under a backlog commits get bigger
    // and fewer, when traffic is light they stay at flushRows, and latency stays bounded by
    // one commit's duration.
    if (due && (this.inFlightCommit === null || this.commitSettled || pending.received >= this.maxPendingRows)) await this.startCommit();
    if (this.options.onProgress !== undefined && now - this.lastProgress >= (this.options.progressEveryMs ?? 1000)) {
      this.lastProgress = now;
      this.options.onProgress(this.progress());
    }
  }

  private progress(): RunProgress {
    const source = this.options.source.progress?.();
    return {
      // A chunk being committed is neither pending nor in the books yet: left out, the count
      // dropped by a whole chunk while a long commit ran.
      received: this.accounting.received + this.committingReceived + this.pending.received,
      committed: this.accounting.received,
      errored: this.accounting.errored,
      elapsedMs: this.clock.now() - this.startedAt,
      ...(source !== undefined ? { source } : {}),
    };
  }

  /**
   * A redelivered message may be the one that killed the previous worker (a crash, not an error
   * row), and a crash takes down every message the worker holds unacknowledged: each comes back
   * with its delivery count raised, and once past `maxDeliveries` would be dead-lettered with the
   * culprit. So a batch carrying a redelivery runs in a chunk of its own: what came before is
   * committed and acknowledged first, and the batch itself is committed and acknowledged before
   * the next pull. Only the culprit then keeps crashing until it reaches the limit; an innocent
   * message that was merely held with it is written on its next delivery. The NATS source hands
   * redeliveries out one per batch and fetches nothing meanwhile, so that is one message per
   * commit. First deliveries keep the batched path.
   */
  private async processApart(batch: SourceBatch): Promise<void> {
    await this.startCommit();
    await this.awaitCommit();
    if (this.workers !== null) {
      this.dispatch(batch);
      await this.drainWorkers();
    } else {
      await this.process(batch);
    }
    await this.startCommit();
    await this.awaitCommit();
  }

  /** Runs one pulled batch through every node on this thread; results accumulate in the pending chunk. */
  private async process(batch: SourceBatch): Promise<void> {
    const chunk = this.pending;
    const receivedAt = this.clock.now();
    this.admit(chunk, batch, receivedAt);
    const live = this.nodes.envelopes(batch.messages, receivedAt, this.options.source.name, chunk, this.options.maxDeliveries);
    const through = await this.nodes.runNodes(this.pipeline.nodes, live, chunk);
    chunk.written += through.length;
  }

  private admit(chunk: PendingChunk, batch: SourceBatch, receivedAt: number): void {
    if (chunk.received === 0) chunk.firstAt = receivedAt;
    chunk.batches.push(batch);
    const size = batchSize(batch);
    chunk.received += size;
    chunk.receivedAts.push([receivedAt, size]);
  }

  /** Sends a batch to the step workers; its result is merged, in order, by settleOldest. */
  private dispatch(batch: SourceBatch): void {
    const workers = this.workers as StepWorkers;
    const receivedAt = this.clock.now();
    const result = workers.run(batch, receivedAt, receivedAt);
    // Settled in order later; a rejection is observed there, not as an unhandled one now.
    result.catch(() => undefined);
    this.queued.push({ batch, receivedAt, result });
  }

  /** Merges the oldest worker result into the pending chunk and runs the tail over its survivors. */
  private async settleOldest(): Promise<void> {
    const item = this.queued.shift();
    if (item === undefined) return;
    const { batch, receivedAt } = item;
    const result = await item.result;
    const chunk = this.pending;
    this.admit(chunk, batch, receivedAt);
    for (const [step, counts] of result.steps) addStepCounts(this.accounting.step(step), counts);
    for (const { table, frame } of result.tables) {
      const spec = this.tablesByName.get(table);
      if (spec === undefined) throw new Error(`a step worker wrote rows for table ${table}, which the pipeline does not write`);
      chunk.framesFor(spec).push(frame);
    }
    for (const { topic, ids, payloads } of result.topics) {
      const messages = chunk.messagesFor(topic);
      for (let i = 0; i < ids.length; i++) messages.push({ id: ids[i] as string, payload: payloads[i] as string });
    }
    for (const error of result.errors) chunk.errors.push(error);
    chunk.errored += result.errored;
    chunk.filtered += result.filtered;
    const { index, ids, values } = result.survivors;
    if (this.tail.length === 0 || values === null) {
      chunk.written += index.length;
    } else {
      const sourceName = this.options.source.name;
      const live: InFlight[] = new Array(index.length);
      // A block batch stays bytes here too: a line is decoded only for an error row (see InFlight).
      const block = batch.payloadBlock;
      const lines = block !== undefined ? new BlockLines(block) : null;
      for (let k = 0; k < index.length; k++) {
        const position = index[k] as number;
        let env: InFlight;
        if (block !== undefined) {
          env = new InFlight(ids[k] as string, lines as BlockLines, blockLineAttributes(block, position) ?? NO_ATTRIBUTES, receivedAt, receivedAt, sourceName);
        } else {
          const m = batch.messages[position] as SourceBatch['messages'][number];
          env = new InFlight(ids[k] as string, m.payload, m.attributes ?? NO_ATTRIBUTES, m.publishTime ?? receivedAt, receivedAt, sourceName);
        }
        env.position = position;
        env.data = values[k];
        live[k] = env;
      }
      const through = await this.nodes.runNodes(this.tail, live, chunk);
      chunk.written += through.length;
    }
    await this.afterBatch(false);
  }

  /** An empty pull acknowledges nothing by itself, but pending work may wait on it. */
  private async holdEmpty(batch: SourceBatch): Promise<void> {
    if (this.pending.batches.length > 0) this.pending.batches.push(batch);
    else await this.options.source.ack(batch);
  }

  /** Settles everything out on the workers, in order. */
  private async drainWorkers(): Promise<void> {
    while (this.queued.length > 0) await this.settleOldest();
  }

  private stateKey(tap: TapNode): string {
    return `${this.pipeline.name}/${tap.operator.name}`;
  }

  /** Loads each stateful tap's last committed snapshot, so a restart resumes where it committed. */
  private async restoreTaps(): Promise<void> {
    for (const tap of this.taps) {
      const rows = await this.options.warehouse.query(`SELECT state FROM ${STATE_TABLE.name} WHERE _id = $1`, [this.stateKey(tap)]);
      const state = rows[0]?.state;
      if (state !== undefined && state !== null) tap.operator.restore(typeof state === 'string' ? JSON.parse(state) : state);
    }
  }

  /** What a stateful tap writes through: the chunk being built when it emits. */
  private sideOutputs(chunk: PendingChunk, tap: TapNode): SideOutputs {
    return {
      write: (table, row) => {
        chunk.rowsFor(table).push(row);
      },
      publish: (topic, id, payload) => {
        chunk.messagesFor(topic).push({ id, payload });
      },
      error: (envelope: EnvelopeMeta, errorType, message, keyFields) => {
        chunk.sideErrors++;
        const inFlight = envelope instanceof InFlight ? envelope : null;
        chunk.errors.push(
          this.nodes.errorRow(
            { id: envelope.id, source: envelope.source, raw: inFlight?.raw ?? '' },
            `${envelope.id}:${tap.name}:${errorType}`,
            tap.name,
            errorType,
            message,
            1,
            keyFields ?? (inFlight !== null ? this.nodes.keyFieldsOf(inFlight) : {}),
          ),
        );
      },
    };
  }

  /** Waits for the previous commit, then starts committing the pending chunk. */
  private async startCommit(): Promise<void> {
    await this.awaitCommit();
    const chunk = this.pending;
    if (chunk.isEmpty) return;
    // Snapshots are taken now, synchronously: they hold exactly the records of this chunk.
    const now = this.clock.now();
    for (const tap of this.taps) {
      const state = tap.operator.snapshot();
      // A stateless tap (snapshot() is undefined) has nothing to checkpoint.
      if (state !== undefined) chunk.states.push([this.stateKey(tap), JSON.stringify(state), now]);
    }
    this.pending = new PendingChunk();
    this.commitSettled = false;
    this.committingReceived = chunk.received;
    this.inFlightCommit = this.commit(chunk)
      .catch((error: unknown) => {
        this.commitFailure = error;
      })
      .finally(() => {
        this.commitSettled = true;
      });
  }

  private async awaitCommit(): Promise<void> {
    if (this.inFlightCommit !== null) {
      await this.inFlightCommit;
      this.inFlightCommit = null;
    }
    if (this.commitFailure !== null) throw this.commitFailure;
  }

  private async commit(chunk: PendingChunk): Promise<void> {
    const { warehouse, bus, source } = this.options;
    const errorTable = this.pipeline.options.errorTable;
    const batches: TableBatch[] = [];
    const framesAccepted = warehouse.acceptsFrames === true;
    for (const [table, frames] of chunk.frames) {
      const rows = chunk.tables.get(table) ?? [];
      if (framesAccepted) batches.push({ table, rows, frames });
      else batches.push({ table, rows: rowsOf(rows, frames) });
    }
    for (const [table, rows] of chunk.tables) if (rows.length > 0 && !chunk.frames.has(table)) batches.push({ table, rows });
    if (chunk.errors.length > 0) batches.push({ table: errorTable, rows: chunk.errors.map((e) => errorRowValues(errorTable, e)) });
    if (chunk.states.length > 0) batches.push({ table: STATE_TABLE, rows: chunk.states });
    if (batches.length > 0) {
      const result = await this.withRetry(`warehouse ${warehouse.location}`, () => warehouse.commit(batches));
      for (const t of result.tables) {
        const counts = this.accounting.table(t.table);
        counts.rows += t.inserted + t.duplicates;
        counts.inserted += t.inserted;
        counts.duplicates += t.duplicates;
      }
    }
    const dlq = this.pipeline.options.deadLetterTopic;
    if (dlq !== undefined && chunk.errors.length > 0) {
      const messages = chunk.messagesFor(dlq);
      for (const e of chunk.errors) messages.push({ id: e.id, payload: errorRowJson(e), attributes: { error_type: e.errorType, step: e.step } });
    }
    for (const [topic, messages] of chunk.topics) {
      if (messages.length === 0) continue;
      const counts = this.accounting.topic(topic);
      if (bus === undefined) continue;
      const result = await this.withRetry(`bus ${bus.location}`, () => bus.publish(topic, messages));
      counts.published += result.published;
      counts.duplicates += result.duplicates;
    }
    for (const batch of chunk.batches) await this.withRetry(`source ${source.name}`, () => source.ack(batch));
    for (const e of chunk.errors) this.accounting.countError(e.errorType);
    this.accounting.commit(chunk);
    this.committingReceived = 0;
    this.accounting.sideErrors += chunk.sideErrors;
    const committedAt = this.clock.now();
    for (const [receivedAt, count] of chunk.receivedAts) this.latency.record(committedAt - receivedAt, count);
  }

  private async withRetry<T>(what: string, action: () => Promise<T>): Promise<T> {
    let attempt = 1;
    for (;;) {
      try {
        const result = await action();
        if (attempt > 1) this.options.onEvent?.({ kind: 'recovered', what, afterAttempts: attempt });
        return result;
      } catch (error) {
        if (attempt >= this.sinkRetry.attempts) {
          throw new ConnectorUnavailableError(
            `${what} failed ${attempt} times (${describeError(error)}); nothing from the failed chunk was acknowledged, so it will be delivered again on restart`,
            { cause: error },
          );
        }
        const delayMs = backoffDelay(this.sinkRetry, attempt);
        this.options.onEvent?.({ kind: 'retrying', what, attempt, delayMs, error: describeError(error) });
        await sleep(delayMs);
        attempt++;
      }
    }
  }
}
