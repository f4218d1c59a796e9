import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Source, SourceBatch, SourceMessage } from '../../core/source.js';
import { IngestBodyError, messagesFromBody } from './push-payload.js';

export interface HttpSourceOptions {
  readonly port: number;
  readonly host?: string;
  /** Largest accepted body. Default 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Requests waiting for commit beyond this many messages get 429 (backpressure). Default 50 000. */
  readonly maxQueued?: number;
}

interface PendingRequest {
  remaining: number;
  readonly response: ServerResponse;
  readonly count: number;
}

interface QueuedMessage {
  readonly message: SourceMessage;
  readonly request: PendingRequest;
}

/**
 * An HTTP ingest endpoint: `POST /` (or `/ingest`, or a Pub/Sub push subscription's URL) with JSON,
 * NDJSON or the Pub/Sub push envelope. The response is sent only after every message of the
 * request is committed downstream — 200 `{"accepted":N}` — so a client (or Pub/Sub) that gets no
 * 2xx retries, and nothing is lost. `GET /healthz` answers 200.
 *
 * @example
 * curl -XPOST localhost:8080/ingest -H 'content-type: application/x-ndjson' --data-binary @tickets.jsonl
 */
export class HttpSource implements Source {
  readonly name: string;
  readonly bounded = false;
  private readonly options: HttpSourceOptions;
  private server: Server | null = null;
  private queue: QueuedMessage[] = [];
  private waiter: (() => void) | null = null;
  private received = 0;
  private announceListening: (port: number) => void = () => undefined;
  /** Resolves with the bound port once the server listens (the runner opens the source itself). */
  readonly listening: Promise<number>;

  constructor(options: HttpSourceOptions) {
    this.options = Object.freeze({ ...options });
    this.name = `http:${options.port}`;
    this.listening = new Promise((resolve) => {
      this.announceListening = resolve;
    });
  }

  /** The bound port (useful with port 0 in tests). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  async open(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.announceListening(this.port);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, received: this.received }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, GET' }).end('POST JSON, NDJSON or a Pub/Sub push envelope\n');
      return;
    }
    if (this.queue.length >= (this.options.maxQueued ?? 50_000)) {
      res.writeHead(429, { 'retry-after': '1' }).end('busy: retry shortly\n');
      req.resume();
      return;
    }
    const limit = this.options.maxBodyBytes ?? 10 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        res.writeHead(413).end(`body larger than ${limit} bytes\n`);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let messages: SourceMessage[];
      try {
        messages = messagesFromBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
      } catch (error) {
        const message = error instanceof IngestBodyError ? error.message : 'unreadable body';
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: message }));
        return;
      }
      const request: PendingRequest = { remaining: messages.length, response: res, count: messages.length };
      for (const message of messages) this.queue.push({ message, request });
      this.received += messages.length;
      this.waiter?.();
    });
  }

  async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
    if (this.queue.length === 0 && waitMs > 0 && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        const onAbort = (): void => done();
        signal?.addEventListener('abort', onAbort, { once: true });
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        this.waiter = done;
      });
      this.waiter = null;
    }
    if (signal?.aborted && this.queue.length === 0) return null;
    const taken = this.queue.splice(0, max);
    return { messages: taken.map((q) => q.message), token: taken };
  }

  async ack(batch: SourceBatch): Promise<void> {
    for (const queued of batch.token as QueuedMessage[]) {
      queued.request.remaining--;
      if (queued.request.remaining === 0) {
        queued.request.response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: queued.request.count }));
      }
    }
  }

  async nak(batch: SourceBatch): Promise<void> {
    const answered = new Set<PendingRequest>();
    for (const queued of batch.token as QueuedMessage[]) {
      if (answered.has(queued.request)) continue;
      answered.add(queued.request);
      if (!queued.request.response.headersSent) queued.request.response.writeHead(503, { 'retry-after': '5' }).end('not committed: retry\n');
    }
  }

  progress(): { done: number; unit: string } {
    return { done: this.received, unit: 'messages' };
  }

  async close(): Promise<void> {
    // Requests still waiting were never committed: tell their clients to retry.
    for (const queued of this.queue) {
      if (!queued.request.response.headersSent) queued.request.response.writeHead(503, { 'retry-after': '5' }).end('shutting down: retry\n');
    }
    this.queue = [];
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
