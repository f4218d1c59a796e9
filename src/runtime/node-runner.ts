import { hash } from 'node:crypto';
import type { StepCounts } from '../core/accounting.js';
import type { OutgoingMessage } from '../core/bus.js';
import type { Envelope } from '../core/envelope.js';
import { type ErrorRow, ErrorTypes } from '../core/error-row.js';
import { ConnectorUnavailableError, DependencyUnavailableError, describeError, TransientError } from '../core/errors.js';
import type { Pipeline, PipelineNode, RetryPolicy, StepNode, TapNode } from '../core/pipeline.js';
import type { RowFrame } from '../core/row-frame.js';
import type { Row, TableSpec } from '../core/schema.js';
import type { BlockLines, SourceBatch, SourceMessage } from '../core/source.js';
import type { SideOutputs } from '../core/stateful.js';
import { Filtered, Rejection, type StepContext } from '../core/step.js';
import type { Clock } from '../time/clock.js';
import { backoffDelay, sleep } from './backoff.js';

/** What a run reports while it waits on something (retrying a sink, a step's dependency). */
export type RunEvent =
  | { readonly kind: 'retrying'; readonly what: string; readonly attempt: number; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'recovered'; readonly what: string; readonly afterAttempts: number };

/**
 * An envelope plus the original payload, kept for error rows. A message without an id of its own
 * gets a content hash, computed only when something reads the id first: most pipelines replace it
 * with the record's natural key in their first step, and the hash (SHA-1 of the payload) was
 * measured at 0.7 µs a message.
 */
export class InFlight implements Envelope {
  private givenId: string | null;
  data: unknown;
  readonly attributes: Readonly<Record<string, string>>;
  readonly publishTime: number;
  readonly receivedAt: number;
  readonly source: string;
  private rawText: string | null;
  private readonly rawLines: BlockLines | null;
  /** Where the message was in its pulled batch. */
  position = 0;
  /**
   * `raw` is the payload, or the lines of the block batch it came in (then it is decoded, from
   * line `position`, only if something reads it — an error row on the main thread after the
   * step threads — and `data` starts undefined).
   */
  constructor(id: string | null, raw: string | BlockLines, attributes: Readonly<Record<string, string>>, publishTime: number, receivedAt: number, source: string) {
    this.givenId = id;
    if (typeof raw === 'string') {
      this.data = raw;
      this.rawText = raw;
      this.rawLines = null;
    } else {
      this.rawText = null;
      this.rawLines = raw;
    }
    this.attributes = attributes;
    this.publishTime = publishTime;
    this.receivedAt = receivedAt;
    this.source = source;
  }

  get raw(): string {
    this.rawText ??= (this.rawLines as BlockLines).line(this.position);
    return this.rawText;
  }

  get id(): string {
    this.givenId ??= contentId(this.raw);
    return this.givenId;
  }

  set id(id: string) {
    this.givenId = id;
  }
}

export const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** A content-derived id for messages that carry none: the same bytes always get the same id. */
export function contentId(payload: string): string {
  return hash('sha1', payload, 'base64url');
}

/** Work processed but not yet committed: it is committed and acknowledged as one unit. */
export class PendingChunk {
  readonly batches: SourceBatch[] = [];
  readonly tables = new Map<TableSpec, Row[]>();
  /** Rows from step workers, still as frames. */
  readonly frames = new Map<TableSpec, RowFrame[]>();
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
    return listIn(this.tables, table);
  }

  framesFor(table: TableSpec): RowFrame[] {
    return listIn(this.frames, table);
  }

  messagesFor(topic: string): OutgoingMessage[] {
    return listIn(this.topics, topic);
  }

  get isEmpty(): boolean {
    return this.batches.length === 0 && this.tables.size === 0 && this.frames.size === 0 && this.errors.length === 0;
  }
}

/** The list under `key`, created empty on first use. */
function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

export interface NodeRunnerOptions {
  readonly clock: Clock;
  /** Where a step's unreachable dependency is waited for (the sink policy). */
  readonly outageRetry: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Per-step counts, kept by the caller (the run's accounting, or a worker's per-batch tally). */
  readonly stepCounts: (step: string) => StepCounts;
  /** Where stateful taps send rows; only the main thread runs taps. */
  readonly sideOutputs?: (chunk: PendingChunk, tap: TapNode) => SideOutputs;
}

/**
 * Runs a pipeline's nodes over a batch of envelopes and collects what they produce (rows,
 * messages, error rows) in a pending chunk. The run's engine uses it on the main thread and each
 * step worker uses it for the stateless head of the pipeline, so a record is treated the same
 * wherever it runs.
 */
export class NodeRunner {
  private readonly pipeline: Pipeline<unknown, unknown>;
  private readonly options: NodeRunnerOptions;
  private readonly keyPatterns: ReadonlyArray<[string, RegExp]>;

  constructor(pipeline: Pipeline<unknown, unknown>, options: NodeRunnerOptions) {
    this.pipeline = pipeline;
    this.options = options;
    this.keyPatterns = pipeline.options.keyFields.map((field) => [
      field,
      new RegExp(`"${field.replace(/[^a-zA-Z0-9_]/g, '')}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|-?\\d+(?:\\.\\d+)?)`),
    ]);
  }

  /**
   * Envelopes for a pulled batch. A message delivered more than `maxDeliveries` times becomes a
   * `max_deliveries_exceeded` error row without running the steps: a poison message must not
   * block the stream.
   */
  envelopes(messages: readonly SourceMessage[], receivedAt: number, sourceName: string, chunk: PendingChunk, maxDeliveries: number | undefined): InFlight[] {
    const live: InFlight[] = [];
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as SourceMessage;
      const env = new InFlight(m.id ?? null, m.payload, m.attributes ?? NO_ATTRIBUTES, m.publishTime ?? receivedAt, receivedAt, sourceName);
      env.position = i;
      if (maxDeliveries !== undefined && m.deliveryCount !== undefined && m.deliveryCount > maxDeliveries) {
        this.fail(chunk, env, 'source', ErrorTypes.maxDeliveriesExceeded, `delivered ${m.deliveryCount} times (limit ${maxDeliveries}); dead-lettered without processing`, m.deliveryCount);
        continue;
      }
      live.push(env);
    }
    return live;
  }

  /** Runs `nodes` in order over `live`; returns the envelopes that came through all of them. */
  async runNodes(nodes: readonly PipelineNode[], live: InFlight[], chunk: PendingChunk): Promise<InFlight[]> {
    for (const node of nodes) {
      if (live.length === 0) break;
      live = await this.runNode(node, live, chunk);
    }
    return live;
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
            const row = node.toRow(env.data, env);
            if (row !== null) rows.push(row);
            kept.push(env);
          } catch (error) {
            this.fail(chunk, env, node.name, ErrorTypes.stepException, describeError(error), 1);
          }
        }
        return kept;
      }
      case 'tap': {
        const sideOutputs = this.options.sideOutputs;
        if (sideOutputs === undefined) throw new Error(`tap ${node.name} reached a runner without side outputs; stateful taps run on the main thread only`);
        const out = sideOutputs(chunk, node);
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
    const counts = this.options.stepCounts(node.name);
    counts.received += live.length;
    const ctx = new MutableStepContext(this.pipeline.name, this.options.clock.now());
    const results: unknown[] = new Array(live.length);
    let asyncAt: number[] | null = null;
    for (let i = 0; i < live.length; i++) {
      const env = live[i] as InFlight;
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
      for (let k = 0; k < asyncAt.length; k++) results[asyncAt[k] as number] = settled[k];
    }
    const attempts = await this.retryTransient(node, live, results, ctx);
    const kept: InFlight[] = [];
    for (let i = 0; i < live.length; i++) {
      const env = live[i] as InFlight;
      const result = results[i];
      const attempt = attempts === null ? 1 : (attempts[i] as number);
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
   * is waited for with the outage policy instead, and if it stays away the run stops with nothing
   * of the chunk acknowledged: an outage must not turn good records into error rows.
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
      const first = (results[pending[0] as number] as Thrown).error;
      const outage = pending.some((i) => (results[i] as Thrown).error instanceof DependencyUnavailableError);
      const policy = outage ? this.options.outageRetry : node.retry;
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
        const env = live[pending[k] as number] as InFlight;
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
        const i = pending[k] as number;
        results[i] = settled[k];
        attempts[i] = attempt;
        if (isTransient(settled[k])) still.push(i);
      }
      if (still.length < pending.length) this.options.onEvent?.({ kind: 'recovered', what, afterAttempts: attempt });
      pending = still;
    }
    return attempts;
  }

  /** Turns a failed record into an error row of the chunk (raw payload and message redacted). */
  fail(chunk: PendingChunk, env: InFlight, step: string, errorType: string, message: string, attempt: number): void {
    chunk.errored++;
    chunk.errors.push(this.errorRow(env, `${env.id}:${step}`, step, errorType, message, attempt, this.keyFieldsOf(env)));
  }

  /** An error row about `envelope`; `raw` is empty for envelopes that are not in flight here. */
  errorRow(
    envelope: { readonly id: string; readonly source: string; readonly raw?: string },
    id: string,
    step: string,
    errorType: string,
    message: string,
    attempt: number,
    keyFields: Readonly<Record<string, unknown>>,
  ): ErrorRow {
    const redactRaw = this.pipeline.options.redactRawPayload;
    const redactMessage = this.pipeline.options.redactErrorMessage ?? redactRaw;
    const raw = envelope.raw ?? '';
    return {
      id,
      envelopeId: envelope.id,
      pipeline: this.pipeline.name,
      step,
      errorType,
      errorMessage: redactMessage === undefined ? message : redactMessage(message),
      keyFields,
      rawPayload: redactRaw === undefined ? raw : redactRaw(raw),
      attempt,
      errorTimestamp: this.options.clock.now(),
      source: envelope.source,
    };
  }

  /** Key fields from the parsed value, or fished out of the raw text when parsing failed. */
  keyFieldsOf(env: InFlight): Record<string, unknown> {
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
}

/** Adds one tally of step counts into another (a worker's batch into the run's books). */
export function addStepCounts(into: StepCounts, from: Readonly<StepCounts>): void {
  into.received += from.received;
  into.passed += from.passed;
  into.errored += from.errored;
  into.filtered += from.filtered;
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
