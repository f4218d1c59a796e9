/**
 * A step worker thread: builds the pipeline from its recipe and runs the stateless head over the
 * batches the main thread sends, returning rows as frames. Started by StepWorkers.
 */
import { parentPort } from 'node:worker_threads';
import { RunAccounting } from '../../core/accounting.js';
import { ConfigError, SluiceError } from '../../core/errors.js';
import type { PipelineDefinition } from '../../core/pipeline-definition.js';
import type { Pipeline, PipelineNode } from '../../core/pipeline.js';
import { blockLineAttributes, type LineBlock, type SourceMessage, splitBlock } from '../../core/source.js';
import { piiHasherFromEnv } from '../../privacy/hash-pii.js';
import { type InFlight, NodeRunner, PendingChunk } from '../node-runner.js';
import type { BatchMessage, BatchResult, FromWorker, InitMessage, ToWorker } from './protocol.js';
import { toThreadError } from './thread-error.js';
import { encodeRows, frameTransferables, type RowFrame } from '../../core/row-frame.js';
import type { ColumnSpec, Row, TableSpec } from '../../core/schema.js';

if (parentPort === null) throw new Error('step-worker.ts runs as a worker thread (see StepWorkers)');
const port = parentPort;

interface Head {
  readonly pipeline: Pipeline<unknown, unknown>;
  /** Built once: it compiles the key-field patterns error rows use. */
  readonly runner: NodeRunner;
  readonly nodes: readonly PipelineNode[];
  readonly init: InitMessage;
  /** Whether nodes run after the head on the main thread (then survivors' values go back). */
  readonly hasTail: boolean;
}

let head: Head | null = null;
/** The batch being run: its processing time and its step counts. */
let batchNow = 0;
let tally: RunAccounting | null = null;
const aborts = new AbortController();
/** Batches run one after another, in the order they came. */
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function build(init: InitMessage): Promise<Head> {
  const { recipe } = init;
  let module: Record<string, unknown>;
  try {
    module = (await import(recipe.module)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`step worker: cannot load the pipeline recipe module ${recipe.module}: ${(error as Error).message}`, { cause: error });
  }
  const exported = module[recipe.exportName];
  const definition = (typeof exported === 'function' ? await (exported as (...args: unknown[]) => unknown)(...(recipe.args ?? [])) : exported) as PipelineDefinition | undefined;
  if (definition === undefined || typeof definition.build !== 'function') {
    throw new ConfigError(`step worker: ${recipe.module} export "${recipe.exportName}" is not a pipeline definition`);
  }
  const pipeline = definition.build({ hash: piiHasherFromEnv(recipe.env).hash, env: recipe.env });
  const nodes = pipeline.statelessHead();
  const names = nodes.map((n) => n.name);
  if (names.join('\u0000') !== init.head.join('\u0000')) {
    throw new SluiceError(
      'THREADS_MISMATCH',
      `step worker built pipeline ${pipeline.name} with head [${names.join(', ')}] but the main thread has [${init.head.join(', ')}]; ` +
        'the pipeline must build the same way on every thread (run with --threads 0 to run it on one)',
    );
  }
  const runner = new NodeRunner(pipeline, {
    clock: { now: () => batchNow },
    outageRetry: init.outageRetry,
    signal: aborts.signal,
    onEvent: (event) => post({ type: 'event', event }),
    stepCounts: (step) => (tally as RunAccounting).step(step),
  });
  return { pipeline, runner, nodes, init, hasTail: nodes.length < pipeline.nodes.length };
}

async function runBatch(message: BatchMessage): Promise<void> {
  if (head === null) throw new Error('step worker got a batch before init');
  const { pipeline, runner, nodes, init, hasTail } = head;
  batchNow = message.now;
  const counts = new RunAccounting(pipeline.name);
  tally = counts;
  const chunk = new PendingChunk();
  const block = Array.isArray(message.payloads) ? null : (message.payloads as LineBlock);
  const payloads = block === null ? (message.payloads as readonly string[]) : splitBlock(block);
  const messages: SourceMessage[] = new Array(payloads.length);
  for (let i = 0; i < messages.length; i++) {
    const attributes = block !== null ? blockLineAttributes(block, i) : message.attributes?.[i];
    messages[i] = {
      payload: payloads[i] as string,
      ...(message.ids?.[i] != null ? { id: message.ids[i] as string } : {}),
      ...(attributes != null ? { attributes } : {}),
      ...(message.publishTimes !== null ? { publishTime: message.publishTimes[i] as number } : {}),
      ...(message.deliveryCounts !== null && (message.deliveryCounts[i] as number) > 0 ? { deliveryCount: message.deliveryCounts[i] as number } : {}),
    };
  }
  const live = runner.envelopes(messages, message.receivedAt, init.sourceName, chunk, init.maxDeliveries);
  const through = await runner.runNodes(nodes, live, chunk);
  const transfer: ArrayBuffer[] = [];
  const tables: Array<BatchResult['tables'][number]> = [];
  for (const [table, rows] of chunk.tables) {
    let frame = encodeRows(rows, table.columns.length);
    // Objects in text columns are rare: looked for only when a text column did not encode as text.
    if (holdsObjectsAsText(table, frame)) {
      textifyObjects(table, rows);
      frame = encodeRows(rows, table.columns.length);
    }
    frameTransferables(frame, transfer);
    tables.push({ table: table.name, frame });
  }
  const topics = [...chunk.topics].map(([topic, list]) => ({ topic, ids: list.map((m) => m.id), payloads: list.map((m) => m.payload) }));
  const index = new Int32Array(through.length);
  // Ids (and values) only when a tail runs on them: cloning a string a record costs both threads.
  const ids: string[] = hasTail ? new Array(through.length) : [];
  for (let i = 0; i < through.length; i++) {
    const env = through[i] as InFlight;
    index[i] = env.position;
    if (hasTail) ids[i] = env.id;
  }
  transfer.push(index.buffer as ArrayBuffer);
  const result: BatchResult = {
    type: 'result',
    seq: message.seq,
    steps: counts.report().steps.map(({ step, ...counts }) => [step, counts] as const),
    tables,
    topics,
    errors: chunk.errors,
    errored: chunk.errored,
    filtered: chunk.filtered,
    survivors: { index, ids, values: hasTail ? through.map((env) => env.data) : null },
  };
  post(result, transfer);
}

/** Whether a string or json column of the table encoded as something other than text (it holds objects or arrays). */
function holdsObjectsAsText(table: TableSpec, frame: RowFrame): boolean {
  for (let c = 0; c < table.columns.length; c++) {
    const type = (table.columns[c] as ColumnSpec).type;
    const kind = (frame.columns[c] as RowFrame['columns'][number]).kind;
    if ((type === 'string' || type === 'json') && (kind === 'any' || kind === 'string-list')) return true;
  }
  return false;
}

/**
 * Objects in string and json columns become here the JSON text every warehouse stores for them.
 * Sent as they are, structured cloning would drop their prototypes (a class's `toJSON`, a URL) and
 * refuse some outright (an object holding a function): a threaded run would store other text than
 * an unthreaded one, or fail. A value JSON cannot write is left for the warehouse to report.
 */
function textifyObjects(table: TableSpec, rows: Row[]): void {
  const columns: number[] = [];
  for (let c = 0; c < table.columns.length; c++) {
    const type = (table.columns[c] as ColumnSpec).type;
    if (type === 'string' || type === 'json') columns.push(c);
  }
  if (columns.length === 0) return;
  for (const row of rows) {
    for (const c of columns) {
      const value = row[c];
      if (value === null || typeof value !== 'object') continue;
      try {
        const text = JSON.stringify(value) as string | undefined;
        if (text !== undefined) row[c] = text;
      } catch {
        // A BigInt or a cycle: the warehouse fails on it as it would on one thread.
      }
    }
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    aborts.abort();
    return;
  }
  if (message.type === 'init') {
    queue = queue.then(async () => {
      try {
        head = await build(message);
        post({ type: 'ready', head: head.nodes.map((n) => n.name) });
      } catch (error) {
        post({ type: 'failed', seq: null, error: toThreadError(error) });
      }
    });
    return;
  }
  queue = queue.then(async () => {
    try {
      await runBatch(message);
    } catch (error) {
      post({ type: 'failed', seq: message.seq, error: toThreadError(error) });
    }
  });
});
