import { hash } from 'node:crypto';
import { RunAccounting, type AccountingReport } from '../core/accounting.js';
import type { Bus, OutgoingMessage } from '../core/bus.js';
import type { Envelope, EnvelopeMeta } from '../core/envelope.js';
import { type ErrorRow, ErrorTypes, errorRowJson, errorRowValues } from '../core/error-row.js';
import { ConnectorUnavailableError, DependencyUnavailableError, describeError, TransientError } from '../core/errors.js';
import { type Pipeline, type PipelineNode, type RetryPolicy, STATE_TABLE, type StepNode, type TapNode } from '../core/pipeline.js';
import type { SideOutputs } from '../core/stateful.js';
import type { Row, TableSpec } from '../core/schema.js';
import { carriesRedelivery, type Source, type SourceBatch } from '../core/source.js';
import { Filtered, Rejection, type StepContext } from '../core/step.js';
import type { TableBatch, Warehouse } from '../core/warehouse.js';
import { LatencyHistogram } from '../observe/latency-histogram.js';
import { backoffDelay, sleep } from './backoff.js';
import { type Clock, systemClock } from '../time/clock.js';

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
}

export interface RunProgress {
  readonly received: number;
  readonly committed: number;
  readonly errored: number;
  readonly elapsedMs: number;
  readonly source?: { done: number; total?: number; unit: string };
}

export type RunEvent =
  | { readonly kind: 'retrying'; readonly what: string; readonly attempt: number; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'recovered'; readonly what: string; readonly afterAttempts: number };

export interface RunResult {
  readonly accounting: AccountingReport;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly stoppedBy: 'end-of-input' | 'signal';
}

/** An envelope plus the original payload, kept for error rows. */
class InFlight implements Envelope {
  id: string;
  data: unknown;
  readonly attributes: Readonly<Record<string, string>>;
  readonly publishTime: number;
  readonly receivedAt: number;
  readonly source: string;
  readonly raw: string;
  constructor(id: string, raw: string, attributes: Readonly<Record<string, string>>, publishTime: number, receivedAt: number, source: string) {
    this.id = id;
    this.data = raw;
    this.raw = raw;
    this.attributes = attributes;
    this.publishTime = publishTime;
    this.receivedAt = receivedAt;
    this.source = source;
  }
}

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** A content-derived id for messages that carry none: the same bytes always get the same id. */
export function contentId(payload: string): string {
  return hash('sha1', payload, 'base64url');
}

/** Work processed but not yet committed: it is committed and acknowledged as one unit. */
class PendingChunk {
  readonly batches: SourceBatch[] = [];
  readonly tables = new Map<TableSpec, Row[]>();
  readonly topics = new Map<string, OutgoingMessage[]>();
  readonly errors: ErrorRow[] = [];
  received = 0;
  written = 0;
  errored = 0;
  filtered = 0;
  /** Error rows about records that flowed on anyway (e.g. late events), outside the record books. */
  sideErrors = 0;
  /** State snapshots of the stateful taps, taken when the chunk was sealed. */
  readonly states: Row[] = [];
  /** Sum and count of receivedAt, for latency by batch without per-record bookkeeping. */
  readonly receivedAts: Array<[number, number]> = [];
  firstAt = 0;

  rowsFor(table: TableSpec): Row[] {
    let rows = this.tables.get(table);
    if (rows === undefined) {
      rows = [];
      this.tables.set(table, rows);
    }
    return rows;
  }

  messagesFor(topic: string): OutgoingMessage[] {
    let messages = this.topics.get(topic);
    if (messages === undefined) {
      messages = [];
      this.topics.set(topic, messages);
    }
    return messages;
  }
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
  private readonly keyPatterns: ReadonlyArray<[string, RegExp]>;
  private pending = new PendingChunk();
  private readonly taps: readonly TapNode[];
  private inFlightCommit: Promise<void> | null = null;
  private commitSettled = true;
  private readonly maxPendingRows: number;
  private commitFailure: unknown = null;

  constructor(pipeline: Pipeline<unknown, unknown>, options: RunOptions) {
    this.pipeline = pipeline;
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.flushRows = Math.max(1, options.flushRows ?? 1000);
    this.flushMs = Math.max(0, options.flushMs ?? 30_000);
    this.pollMs = options.pollMs ?? 200;
    this.maxPendingRows = Math.max(this.flushRows, options.maxPendingRows ?? Math.min(100_000, this.flushRows * 50));
    // Ten attempts ride out ~40 s of a restarting server (0.2 s doubling to 10 s) before the run
    // gives up without acknowledging; steps keep the seed's 3 attempts.
    this.sinkRetry = { attempts: 20, initialDelayMs: 200, maxDelayMs: 10_000, ...options.sinkRetry };
    this.accounting = new RunAccounting(
      pipeline.name,
      pipeline.nodes.filter((n) => n.kind === 'step').map((n) => n.name),
    );
    this.taps = pipeline.nodes.filter((n): n is TapNode => n.kind === 'tap');
    this.keyPatterns = pipeline.options.keyFields.map((field) => [
      field,
      new RegExp(`"${field.replace(/[^a-zA-Z0-9_]/g, '')}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|-?\\d+(?:\\.\\d+)?)`),
    ]);
  }

  async run(): Promise<RunResult> {
    const { source, warehouse } = this.options;
    const startedAt = this.clock.now();
    for (const table of this.pipeline.tables()) {
      await warehouse.ensureTable(table, this.options.createTables ?? table.create ?? 'if-needed');
    }
    await this.restoreTaps();
    await source.open();
    let stoppedBy: RunResult['stoppedBy'] = 'end-of-input';
    let lastProgress = startedAt;
    const progressEvery = this.options.progressEveryMs ?? 1000;
    try {
      for (;;) {
        if (this.options.signal?.aborted) {
          stoppedBy = 'signal';
          break;
        }
        if (this.commitFailure !== null) throw this.commitFailure;
        const batch = await source.pull(this.flushRows, this.pollMs, this.options.signal);
        if (batch === null) {
          if (this.options.signal?.aborted) stoppedBy = 'signal';
          break;
        }
        if (batch.messages.length > 0) {
          if (carriesRedelivery(batch)) await this.processApart(batch);
          else await this.process(batch);
        } else if (this.pending.batches.length > 0) {
          // An empty pull acknowledges nothing by itself, but pending work may wait on it.
          this.pending.batches.push(batch);
        } else {
          await source.ack(batch);
        }
        const now = this.clock.now();
        for (const tap of this.taps) tap.operator.tick(now, this.sideOutputs(this.pending, tap));
        const pending = this.pending;
        const hasWork = pending.received > 0 || pending.tables.size > 0 || pending.errors.length > 0;
        const due = pending.received >= this.flushRows || (hasWork && (batch.messages.length === 0 || now - pending.firstAt >= this.flushMs));
        // Adaptive micro-batches: while the previous commit is still running, a due chunk keeps
        // growing (up to maxPendingRows) instead of waiting — under a backlog commits get bigger
        // and fewer, when traffic is light they stay at flushRows, and latency stays bounded by
        // one commit's duration.
        if (due && (this.inFlightCommit === null || this.commitSettled || pending.received >= this.maxPendingRows)) await this.startCommit();
        if (this.options.onProgress !== undefined && now - lastProgress >= progressEvery) {
          lastProgress = now;
          this.options.onProgress(this.progress(startedAt));
        }
      }
      if (stoppedBy === 'end-of-input' && source.bounded) {
        for (const tap of this.taps) tap.operator.finish(this.sideOutputs(this.pending, tap));
      }
      await this.startCommit();
      await this.awaitCommit();
    } finally {
      await source.close();
    }
    this.options.onProgress?.(this.progress(startedAt));
    const elapsedMs = Math.max(1, this.clock.now() - startedAt);
    const accounting = this.accounting.assertBalanced();
    return {
      accounting,
      elapsedMs,
      eventsPerSecond: (accounting.received / elapsedMs) * 1000,
      latency: { p50Ms: this.latency.percentile(0.5), p99Ms: this.latency.percentile(0.99), maxMs: this.latency.max },
      stoppedBy,
    };
  }

  private progress(startedAt: number): RunProgress {
    const source = this.options.source.progress?.();
    return {
      received: this.accounting.received + this.pending.received,
      committed: this.accounting.received,
      errored: this.accounting.errored,
      elapsedMs: this.clock.now() - startedAt,
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
    await this.process(batch);
    await this.startCommit();
    await this.awaitCommit();
  }

  /** Runs one pulled batch through every node; results accumulate in the pending chunk. */
  private async process(batch: SourceBatch): Promise<void> {
    const chunk = this.pending;
    const receivedAt = this.clock.now();
    if (chunk.received === 0) chunk.firstAt = receivedAt;
    chunk.batches.push(batch);
    const sourceName = this.options.source.name;
    let live: InFlight[] = new Array(batch.messages.length);
    const maxDeliveries = this.options.maxDeliveries;
    let poisoned = 0;
    for (let i = 0; i < batch.messages.length; i++) {
      const m = batch.messages[i]!;
      const env = new InFlight(m.id ?? contentId(m.payload), m.payload, m.attributes ?? NO_ATTRIBUTES, m.publishTime ?? receivedAt, receivedAt, sourceName);
      if (maxDeliveries !== undefined && m.deliveryCount !== undefined && m.deliveryCount > maxDeliveries) {
        this.fail(chunk, env, 'source', ErrorTypes.maxDeliveriesExceeded, `delivered ${m.deliveryCount} times (limit ${maxDeliveries}); dead-lettered without processing`, m.deliveryCount);
        poisoned++;
        continue;
      }
      live[i - poisoned] = env;
    }
    if (poisoned > 0) live.length = batch.messages.length - poisoned;
    chunk.received += batch.messages.length;
    chunk.receivedAts.push([receivedAt, batch.messages.length]);
    for (const node of this.pipeline.nodes) {
      if (live.length === 0) break;
      live = await this.runNode(node, live, chunk);
    }
    chunk.written += live.length;
  }

  private async runNode(node: PipelineNode, live: InFlight[], chunk: PendingChunk): Promise<InFlight[]> {
    switch (node.kind) {
      case 'step':
        return this.runStep(node, live, chunk);
      case 'write': {
        const rows = chunk.rowsFor(node.table);
        const kept: InFlight[] = [];
        for (const env of live) {
          try {
            rows.push(node.toRow(env.data, env));
            kept.push(env);
          } catch (error) {
            this.fail(chunk, env, node.name, ErrorTypes.stepException, describeError(error), 1);
          }
        }
        return kept;
      }
      case 'tap': {
        const out = this.sideOutputs(chunk, node);
        for (const env of live) node.operator.observe(env.data, env, out);
        return live;
      }
      case 'publish': {
        const messages = chunk.messagesFor(node.topic);
        const kept: InFlight[] = [];
        for (const env of live) {
          try {
            messages.push({ id: env.id, payload: node.toMessage(env.data, env) });
            kept.push(env);
          } catch (error) {
            this.fail(chunk, env, node.name, ErrorTypes.stepException, describeError(error), 1);
          }
        }
        return kept;
      }
    }
  }

  private async runStep(node: StepNode, live: InFlight[], chunk: PendingChunk): Promise<InFlight[]> {
    const counts = this.accounting.step(node.name);
    counts.received += live.length;
    const ctx = new MutableStepContext(this.pipeline.name, this.clock.now());
    const results: unknown[] = new Array(live.length);
    let asyncAt: number[] | null = null;
    for (let i = 0; i < live.length; i++) {
      const env = live[i]!;
      ctx.bind(env);
      let result: unknown;
      try {
        result = node.fn(env.data, ctx);
      } catch (error) {
        result = new Thrown(error);
      }
      if (result instanceof Promise) {
        asyncAt ??= [];
        asyncAt.push(i);
        results[i] = result.catch((error: unknown) => new Thrown(error));
      } else {
        results[i] = result;
      }
    }
    if (asyncAt !== null) {
      const settled = await Promise.all(asyncAt.map((i) => results[i] as Promise<unknown>));
      for (let k = 0; k < asyncAt.length; k++) results[asyncAt[k]!] = settled[k];
    }
    const attempts = await this.retryTransient(node, live, results, ctx);
    const kept: InFlight[] = [];
    for (let i = 0; i < live.length; i++) {
      const env = live[i]!;
      const result = results[i];
      const attempt = attempts === null ? 1 : attempts[i]!;
      if (result instanceof Rejection) {
        counts.errored++;
        this.fail(chunk, env, node.name, result.errorType, result.message, attempt);
      } else if (result instanceof Filtered) {
        counts.filtered++;
        chunk.filtered++;
      } else if (result instanceof Thrown) {
        counts.errored++;
        const transient = result.error instanceof TransientError;
        this.fail(
          chunk,
          env,
          node.name,
          transient ? ErrorTypes.retriesExhausted : ErrorTypes.stepException,
          transient ? `gave up after ${attempt} attempts: ${describeError(result.error)}` : describeError(result.error),
          attempt,
        );
      } else {
        counts.passed++;
        env.data = result;
        kept.push(env);
      }
    }
    return kept;
  }

  /**
   * Retries the records whose step threw a TransientError, all of them together on each attempt
   * so a batched step makes one round trip per retry, not one per record. A record keeps its
   * failure once the step's policy is spent. An unreachable dependency (DependencyUnavailableError)
   * is waited for with the sink policy instead, and if it stays away the run stops with nothing of
   * the chunk acknowledged: an outage must not turn good records into error rows.
   * Returns each record's attempt count, or null when nothing needed a retry.
   */
  private async retryTransient(node: StepNode, live: readonly InFlight[], results: unknown[], ctx: MutableStepContext): Promise<Uint16Array | null> {
    let pending: number[] = [];
    for (let i = 0; i < results.length; i++) if (isTransient(results[i])) pending.push(i);
    if (pending.length === 0) return null;
    const attempts = new Uint16Array(live.length).fill(1);
    const what = `step ${node.name}`;
    let attempt = 1;
    while (pending.length > 0) {
      const first = (results[pending[0]!] as Thrown).error;
      const outage = pending.some((i) => (results[i] as Thrown).error instanceof DependencyUnavailableError);
      const policy = outage ? this.sinkRetry : node.retry;
      if (attempt >= policy.attempts) {
        if (outage) {
          throw new ConnectorUnavailableError(
            `${what}: a server it depends on was still unreachable after ${attempt} attempts (${describeError(first)}); nothing from the chunk was acknowledged, so it will be delivered again on restart`,
            { cause: first },
          );
        }
        break;
      }
      const delayMs = backoffDelay(policy, attempt);
      this.options.onEvent?.({ kind: 'retrying', what, attempt, delayMs, error: describeError(first) });
      await sleep(delayMs, this.options.signal).catch(() => undefined);
      attempt++;
      const again: unknown[] = new Array(pending.length);
      for (let k = 0; k < pending.length; k++) {
        const env = live[pending[k]!]!;
        ctx.bind(env);
        try {
          again[k] = node.fn(env.data, ctx);
        } catch (error) {
          again[k] = new Thrown(error);
        }
      }
      const settled = await Promise.all(again.map((r) => (r instanceof Promise ? r.catch((error: unknown) => new Thrown(error)) : r)));
      const still: number[] = [];
      for (let k = 0; k < pending.length; k++) {
        const i = pending[k]!;
        results[i] = settled[k];
        attempts[i] = attempt;
        if (isTransient(settled[k])) still.push(i);
      }
      if (still.length < pending.length) this.options.onEvent?.({ kind: 'recovered', what, afterAttempts: attempt });
      pending = still;
    }
    return attempts;
  }

  private fail(chunk: PendingChunk, env: InFlight, step: string, errorType: string, message: string, attempt: number): void {
    const redact = this.pipeline.options.redactRawPayload;
    chunk.errored++;
    chunk.errors.push({
      id: `${env.id}:${step}`,
      envelopeId: env.id,
      pipeline: this.pipeline.name,
      step,
      errorType,
      errorMessage: this.redactMessage(message),
      keyFields: this.keyFieldsOf(env),
      rawPayload: redact === undefined ? env.raw : redact(env.raw),
      attempt,
      errorTimestamp: this.clock.now(),
      source: env.source,
    });
  }

  private redactMessage(message: string): string {
    const redact = this.pipeline.options.redactErrorMessage ?? this.pipeline.options.redactRawPayload;
    return redact === undefined ? message : redact(message);
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
        const raw = envelope instanceof InFlight ? envelope.raw : '';
        const redact = this.pipeline.options.redactRawPayload;
        chunk.errors.push({
          id: `${envelope.id}:${tap.name}:${errorType}`,
          envelopeId: envelope.id,
          pipeline: this.pipeline.name,
          step: tap.name,
          errorType,
          errorMessage: this.redactMessage(message),
          keyFields: keyFields ?? (envelope instanceof InFlight ? this.keyFieldsOf(envelope) : {}),
          rawPayload: redact === undefined ? raw : redact(raw),
          attempt: 1,
          errorTimestamp: this.clock.now(),
          source: envelope.source,
        });
      },
    };
  }

  /** Key fields from the parsed value, or fished out of the raw text when parsing failed. */
  private keyFieldsOf(env: InFlight): Record<string, unknown> {
    const keys: Record<string, unknown> = {};
    const data = env.data;
    for (const [field, pattern] of this.keyPatterns) {
      if (data !== null && typeof data === 'object') {
        const value = (data as Record<string, unknown>)[field];
        if (value !== undefined && value !== null && typeof value !== 'object') keys[field] = String(value);
        continue;
      }
      const match = pattern.exec(env.raw);
      if (match?.[1] !== undefined) {
        try {
          const value: unknown = JSON.parse(match[1]);
          if (value !== null) keys[field] = String(value);
        } catch {
          // A truncated value is no key.
        }
      }
    }
    return keys;
  }

  /** Waits for the previous commit, then starts committing the pending chunk. */
  private async startCommit(): Promise<void> {
    await this.awaitCommit();
    const chunk = this.pending;
    if (chunk.batches.length === 0 && chunk.tables.size === 0 && chunk.errors.length === 0) return;
    // Snapshots are taken now, synchronously: they hold exactly the records of this chunk.
    const now = this.clock.now();
    for (const tap of this.taps) {
      const state = tap.operator.snapshot();
      // A stateless tap (snapshot() is undefined) has nothing to checkpoint.
      if (state !== undefined) chunk.states.push([this.stateKey(tap), JSON.stringify(state), now]);
    }
    this.pending = new PendingChunk();
    this.commitSettled = false;
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
    for (const [table, rows] of chunk.tables) if (rows.length > 0) batches.push({ table, rows });
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

/** A thrown value, carried as a result so one bad record never unwinds the batch. */
class Thrown {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

function isTransient(result: unknown): boolean {
  return result instanceof Thrown && result.error instanceof TransientError;
}

/** One context object per step and batch, re-bound per record: no allocation per record. */
class MutableStepContext implements StepContext {
  envelope!: InFlight;
  readonly pipeline: string;
  readonly now: number;
  constructor(pipeline: string, now: number) {
    this.pipeline = pipeline;
    this.now = now;
  }
  bind(env: InFlight): void {
    this.envelope = env;
  }
  reject(errorType: string, message: string): Rejection {
    return new Rejection(errorType, message);
  }
  filter(reason?: string): Filtered {
    return reason === undefined ? FILTERED : new Filtered(reason);
  }
  setId(id: string): void {
    this.envelope.id = id;
  }
}

const FILTERED = new Filtered('filtered');
