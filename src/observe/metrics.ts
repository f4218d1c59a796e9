import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ConfigError, describeError, SluiceError } from '../core/errors.js';
import type { Warehouse } from '../core/warehouse.js';
import type { RunEvent, RunProgress } from '../runtime/runner.js';

/**
 * Prometheus metrics of `sluice run`. Every label value comes from a small closed set (pipeline
 * names, connector kinds, step names from code), never from records, so no personal data and no
 * unbounded label cardinality can reach a scrape.
 *
 * - `sluice_records_total{pipeline,outcome}`: outcome `received` (pulled from the source),
 *   `committed` (its chunk's sinks committed and the source was acknowledged, whatever became of
 *   the record), `errored` (committed as an error row).
 * - `sluice_commit_seconds{pipeline}`: warehouse commit durations, failed attempts included.
 * - `sluice_retries_total{what}`: sink, bus, source or step retries (`what` = `warehouse`, `bus`,
 *   `source`, `online` or `step:<name>`).
 * - `sluice_connector_up{what}`: 1 while the connector answers, 0 from its first failure until it
 *   recovers.
 */

/** What a worker process sends its supervisor, and what `SluiceMetrics.observe` takes. */
export type MetricsMessage =
  | { readonly type: 'progress'; readonly pipeline: string; readonly progress: RunProgress }
  | { readonly type: 'event'; readonly event: RunEvent }
  | { readonly type: 'commit'; readonly pipeline: string; readonly seconds: number; readonly ok: boolean };

const KINDS = new Set(['warehouse', 'bus', 'source', 'online']);
const STEP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The `what` label of a runner event: the connector kind (`warehouse postgres://…` → `warehouse`)
 * or `step:<name>`. Locations, URLs and error text never become label values.
 *
 * @example
 * connectorLabel('warehouse postgres://root@127.0.0.1:5432/test'); // 'warehouse'
 * connectorLabel('step features'); // 'step:features'
 */
export function connectorLabel(what: string): string {
  const space = what.indexOf(' ');
  const head = space < 0 ? what : what.slice(0, space);
  if (KINDS.has(head)) return head;
  if (head === 'step') {
    const name = what.slice(space + 1);
    return STEP_NAME.test(name) ? `step:${name}` : 'step';
  }
  return 'other';
}

/**
 * One registry of Sluice's run metrics. A worker process keeps its own; a supervisor feeds the
 * messages of all its workers into one (`observe(message, worker)`), so `/metrics` shows the sum.
 *
 * @example
 * const metrics = new SluiceMetrics();
 * metrics.observe({ type: 'event', event: { kind: 'retrying', what: 'warehouse pg', attempt: 1, delayMs: 200, error: 'down' } });
 * await metrics.render(); // includes sluice_retries_total{what="warehouse"} 1
 */
export class SluiceMetrics {
  private readonly registry = new Registry();
  private readonly records: Counter<'pipeline' | 'outcome'>;
  private readonly commits: Histogram<'pipeline'>;
  private readonly retries: Counter<'what'>;
  private readonly up: Gauge<'what'>;
  /** Last cumulative progress seen per (process, pipeline): counters advance by the difference. */
  private readonly lastProgress = new Map<string, { received: number; committed: number; errored: number }>();

  constructor() {
    const registers = [this.registry];
    this.records = new Counter({
      name: 'sluice_records_total',
      help: 'Records by outcome: received (pulled), committed (sinks committed, source acknowledged), errored (committed as error rows).',
      labelNames: ['pipeline', 'outcome'],
      registers,
    });
    this.commits = new Histogram({
      name: 'sluice_commit_seconds',
      help: 'Duration of warehouse commits (one transaction per chunk), failed attempts included.',
      labelNames: ['pipeline'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.retries = new Counter({
      name: 'sluice_retries_total',
      help: 'Retries of sinks, buses, sources and steps, by what was retried.',
      labelNames: ['what'],
      registers,
    });
    this.up = new Gauge({
      name: 'sluice_connector_up',
      help: '1 while the connector answers, 0 from its first failure until it recovers.',
      labelNames: ['what'],
      registers,
    });
  }

  /** The Content-Type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Applies one message; `from` names the process it came from (progress is cumulative per process). */
  observe(message: MetricsMessage, from = 'local'): void {
    switch (message.type) {
      case 'progress':
        this.progress(message.pipeline, message.progress, from);
        return;
      case 'event':
        this.event(message.event);
        return;
      case 'commit':
        this.commit(message.pipeline, message.seconds, message.ok);
        return;
    }
  }

  /** Advances the record counters to a run's cumulative progress. */
  progress(pipeline: string, progress: RunProgress, from = 'local'): void {
    const key = `${from}\u0000${pipeline}`;
    const last = this.lastProgress.get(key) ?? { received: 0, committed: 0, errored: 0 };
    // A restarted worker starts again from zero: count its new run from there.
    const base = progress.received < last.received || progress.committed < last.committed ? { received: 0, committed: 0, errored: 0 } : last;
    const add = (outcome: string, value: number): void => {
      if (value > 0) this.records.inc({ pipeline, outcome }, value);
    };
    add('received', progress.received - base.received);
    add('committed', progress.committed - base.committed);
    add('errored', progress.errored - base.errored);
    this.lastProgress.set(key, { received: progress.received, committed: progress.committed, errored: progress.errored });
  }

  /** A runner event: a retry counts and marks its connector down; a recovery marks it up. */
  event(event: RunEvent): void {
    const what = connectorLabel(event.what);
    if (event.kind === 'retrying') {
      this.retries.inc({ what });
      this.up.set({ what }, 0);
    } else {
      this.up.set({ what }, 1);
    }
  }

  commit(pipeline: string, seconds: number, ok: boolean): void {
    this.commits.observe({ pipeline }, seconds);
    this.up.set({ what: 'warehouse' }, ok ? 1 : 0);
  }

  /** Sets a connector's gauge directly (e.g. 1 once it opened). */
  connectorUp(what: string, up: boolean): void {
    this.up.set({ what: connectorLabel(what) }, up ? 1 : 0);
  }
}

let processMetrics: SluiceMetrics | null = null;

/** The metrics of this process: what `sluice run --metrics-port` serves. */
export function sluiceMetrics(): SluiceMetrics {
  processMetrics ??= new SluiceMetrics();
  return processMetrics;
}

/**
 * A warehouse that reports each commit's duration and outcome; everything else passes through.
 *
 * @example
 * const timed = timeCommits(warehouse, (seconds, ok) => metrics.commit('municipal-tickets', seconds, ok));
 */
export function timeCommits(warehouse: Warehouse, report: (seconds: number, ok: boolean) => void): Warehouse {
  const timed: Warehouse = {
    kind: warehouse.kind,
    location: warehouse.location,
    ...(warehouse.acceptsFrames === true ? { acceptsFrames: true } : {}),
    open: () => warehouse.open(),
    ensureTable: (table, disposition) => warehouse.ensureTable(table, disposition),
    async commit(batches) {
      const started = performance.now();
      try {
        const result = await warehouse.commit(batches);
        report((performance.now() - started) / 1000, true);
        return result;
      } catch (error) {
        report((performance.now() - started) / 1000, false);
        throw error;
      }
    },
    query: (sql, params) => warehouse.query(sql, params),
    close: () => warehouse.close(),
  };
  const execute = warehouse.execute;
  return execute === undefined ? timed : { ...timed, execute: (sql: string) => execute.call(warehouse, sql) };
}

/** What a run reports through: the progress, event and commit callbacks plus the timed warehouse. */
export interface RunObserver {
  progress(progress: RunProgress): void;
  event(event: RunEvent): void;
  warehouse(warehouse: Warehouse): Warehouse;
}

/**
 * Connects one run to this process's metrics and, in a worker process, to its supervisor
 * (`forward`, see src/runtime/workers.ts).
 *
 * @example
 * const observer = observeRun('municipal-tickets');
 * runStreaming(pipeline, { warehouse: observer.warehouse(wh), onProgress: observer.progress, onEvent: observer.event, … });
 */
export function observeRun(pipeline: string, forward?: (message: MetricsMessage) => void, metrics: SluiceMetrics = sluiceMetrics()): RunObserver {
  const send = (message: MetricsMessage): void => {
    metrics.observe(message);
    forward?.(message);
  };
  return {
    progress: (progress) => send({ type: 'progress', pipeline, progress }),
    event: (event) => send({ type: 'event', event }),
    warehouse: (warehouse) => {
      metrics.connectorUp('warehouse', true);
      return timeCommits(warehouse, (seconds, ok) => send({ type: 'commit', pipeline, seconds, ok }));
    },
  };
}

/** Where `--metrics-port` listens: `PORT` (on 127.0.0.1) or `HOST:PORT` (e.g. `0.0.0.0:9464` for a remote Prometheus). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Reads `PORT` or `HOST:PORT`.
 *
 * @example
 * parseListenAddress('9464'); // { host: '127.0.0.1', port: 9464 }
 * parseListenAddress('0.0.0.0:9464'); // { host: '0.0.0.0', port: 9464 }
 */
export function parseListenAddress(text: string): ListenAddress {
  const colon = text.lastIndexOf(':');
  const host = colon < 0 ? '127.0.0.1' : text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = colon < 0 ? text : text.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535) || host === '') {
    throw new ConfigError(`"${text}" is not a metrics address: use PORT (e.g. 9464, served on 127.0.0.1) or HOST:PORT (e.g. 0.0.0.0:9464)`);
  }
  return { host, port };
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) until closed; any other path is a 404.
 *
 * @example
 * const server = await serveMetrics(sluiceMetrics(), { host: '127.0.0.1', port: 9464 });
 * // curl http://127.0.0.1:9464/metrics
 * await server.close();
 */
export async function serveMetrics(metrics: SluiceMetrics, address: ListenAddress): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are served at GET /metrics\n');
      return;
    }
    metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${describeError(error)}\n`),
    );
  });
  // A scraper that keeps its connection open must not hold up the end of the run.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SluiceError(
          'METRICS_LISTEN_FAILED',
          `cannot serve /metrics on ${address.host}:${address.port} (${error.code ?? describeError(error)}): choose a free port with --metrics-port`,
          { cause: error },
        ),
      ),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return { port, url: `http://${host}:${port}/metrics`, close, [Symbol.asyncDispose]: close };
}
